package sandwich

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/veil-l2/veil/encmempool"
)

// receipts is what the ingress asks of the sequencer behind it: the order
// receipt of an admitted transaction (ordering.Sequencer has it).
type receipts interface {
	Receipt(hash common.Hash) (*encmempool.Receipt, error)
}

// ingress is the operator's seat at its sequencer's front door: a JSON-RPC
// proxy in front of the sequencer's endpoint that forwards every request
// unchanged and hands the operator each transaction the sequencer admitted
// through it (it has an order receipt), as soon as it is admitted. That is
// everything the operator of a sequencer sees of a transaction before the
// batch holding it is committed: for an envelope, the ciphertext.
type ingress struct {
	srv    *http.Server
	ln     net.Listener
	target string
	seq    receipts
	seen   chan *types.Transaction
}

// maxBody caps a forwarded request (the sequencer's own cap is smaller).
const maxBody = 8 << 20

func openIngress(target string, seq receipts) (*ingress, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	in := &ingress{ln: ln, target: target, seq: seq, seen: make(chan *types.Transaction, 16)}
	in.srv = &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go in.srv.Serve(ln) // returns ErrServerClosed once closed
	return in, nil
}

// URL is the endpoint users are given.
func (in *ingress) URL() string { return "http://" + in.ln.Addr().String() }

func (in *ingress) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return in.srv.Shutdown(ctx)
}

type rpcRequest struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (in *ingress) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, in.target, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	in.observe(body)
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body) // an error means the client went away
}

// observe hands the operator every transaction of a request (single or
// batch) that the sequencer admitted.
func (in *ingress) observe(body []byte) {
	var reqs []rpcRequest
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		if json.Unmarshal(trimmed, &reqs) != nil {
			return
		}
	} else {
		var one rpcRequest
		if json.Unmarshal(trimmed, &one) != nil {
			return
		}
		reqs = []rpcRequest{one}
	}
	for _, rq := range reqs {
		if rq.Method != "eth_sendRawTransaction" || len(rq.Params) != 1 {
			continue
		}
		var raw hexutil.Bytes
		tx := new(types.Transaction)
		if json.Unmarshal(rq.Params[0], &raw) != nil || tx.UnmarshalBinary(raw) != nil {
			continue
		}
		if rec, err := in.seq.Receipt(tx.Hash()); err != nil || rec == nil {
			continue // refused: never admitted
		}
		select {
		case in.seen <- tx:
		default: // an operator too slow to look misses it
		}
	}
}
