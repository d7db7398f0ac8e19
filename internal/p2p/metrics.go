package p2p

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Rejection reasons, the values of the reason label of veil_p2p_rejected_total.
const (
	reasonOversize      = "oversize"
	reasonMalformed     = "malformed"
	reasonWrongKind     = "wrong_kind"
	reasonWrongChain    = "wrong_chain"
	reasonUnknownSigner = "unknown_signer"
	reasonBadSignature  = "bad_signature"
	reasonInvalid       = "invalid"
)

// reason maps a validation error to its metric label.
func reason(err error) string {
	switch {
	case errors.Is(err, ErrOversize):
		return reasonOversize
	case errors.Is(err, ErrMalformed):
		return reasonMalformed
	case errors.Is(err, ErrWrongKind):
		return reasonWrongKind
	case errors.Is(err, ErrWrongChain):
		return reasonWrongChain
	case errors.Is(err, ErrUnknownSigner):
		return reasonUnknownSigner
	case errors.Is(err, ErrBadSignature):
		return reasonBadSignature
	default:
		return reasonInvalid
	}
}

type metrics struct {
	rejected *prometheus.CounterVec
	accepted *prometheus.CounterVec
}

// newMetrics creates the package's metrics and registers them with reg unless reg is nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_p2p_rejected_total",
			Help: "Gossip messages rejected by validation, by topic and reason.",
		}, []string{"topic", "reason"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "veil_p2p_accepted_total",
			Help: "Gossip messages that passed validation, by topic.",
		}, []string{"topic"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.rejected, m.accepted} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
