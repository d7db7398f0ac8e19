package l1

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/veil-l2/veil/contracts"
)

// ErrReverted matches every *RevertError.
var ErrReverted = errors.New("l1: the contract refused the call")

// RevertError is a call or gas estimate that reverted with one of the L1
// contracts' custom errors (Name, e.g. "NotNextNumber", with its
// arguments), or with data no contract declares (Name empty).
type RevertError struct {
	Name string
	Args []any
	Data []byte
}

func (e *RevertError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("l1: reverted with data %x", e.Data)
	}
	if len(e.Args) == 0 {
		return "l1: reverted: " + e.Name
	}
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i] = fmt.Sprint(a)
	}
	return "l1: reverted: " + e.Name + "(" + strings.Join(args, ", ") + ")"
}

// Is makes errors.Is(err, ErrReverted) hold.
func (e *RevertError) Is(target error) bool { return target == ErrReverted }

// l1ABIs are the parsed ABIs of the four L1 contracts, whose custom errors
// revertError names.
var l1ABIs = sync.OnceValue(func() []*abi.ABI {
	var out []*abi.ABI
	for _, m := range []*bind.MetaData{&contracts.KeyperSetManagerMetaData, &contracts.KeyBroadcastMetaData,
		&contracts.BatchInboxMetaData, &contracts.L1InboxMetaData} {
		a, err := m.ParseABI()
		if err != nil {
			panic("l1: a generated ABI does not parse: " + err.Error())
		}
		out = append(out, a)
	}
	return out
})

// revertError returns err as a *RevertError when it carries revert data
// (an eth_call or eth_estimateGas that reverted), or nil.
func revertError(err error) *RevertError {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return nil
	}
	data, decErr := hexutil.Decode(s)
	if decErr != nil {
		return nil
	}
	re := &RevertError{Data: data}
	if len(data) < 4 {
		return re
	}
	for _, a := range l1ABIs() {
		for _, e := range a.Errors {
			if !bytes.Equal(e.ID[:4], data[:4]) {
				continue
			}
			re.Name = e.Name
			if vals, err := e.Inputs.Unpack(data[4:]); err == nil {
				re.Args = vals
			}
			return re
		}
	}
	return re
}

// asRevert returns err as a *RevertError when it is one, else err.
func asRevert(err error) error {
	if re := revertError(err); re != nil {
		return re
	}
	return err
}
