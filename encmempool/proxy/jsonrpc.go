package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// JSON-RPC error codes the proxy answers with.
const (
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
	// codeRefused is go-ethereum's code for a transaction the node refuses
	// (nonce too low, insufficient funds, ...); wallets match the message.
	codeRefused = -32000
	// codeSyncTimeout is go-ethereum's code for eth_sendRawTransactionSync
	// when the transaction was submitted but had no receipt in time; the
	// error data is its hash.
	codeSyncTimeout = 4
)

// call is one JSON-RPC request as received. raw is kept byte for byte: a
// forwarded call goes upstream unchanged.
type call struct {
	raw     json.RawMessage
	Version string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	// valid: it decoded as a request object.
	valid bool
}

// notification: a call without an id gets no response.
func (c *call) notification() bool { return c.valid && len(c.ID) == 0 }

// message is one JSON-RPC response.
type message struct {
	Version string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *rpcError) Error() string { return e.Message }

// errParse: the body is neither a JSON-RPC request nor a batch of them.
var errParse = errors.New("proxy: body is not JSON")

// parseBody splits a request body into its calls; batch tells whether it
// was an array. An element that is not a request object is kept with
// valid false (the upstream answers it as it would).
func parseBody(body []byte) (calls []*call, batch bool, err error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var elems []json.RawMessage
		if err := json.Unmarshal(body, &elems); err != nil {
			return nil, true, fmt.Errorf("%w: %w", errParse, err)
		}
		for _, e := range elems {
			calls = append(calls, parseCall(e))
		}
		return calls, true, nil
	}
	if !json.Valid(body) {
		return nil, false, errParse
	}
	return []*call{parseCall(body)}, false, nil
}

func parseCall(raw json.RawMessage) *call {
	c := &call{raw: raw}
	if err := json.Unmarshal(raw, c); err == nil && c.Method != "" {
		c.valid = true
	}
	c.raw = raw
	return c
}

// params decodes a call's positional parameters into dst, one pointer per
// parameter; trailing ones may be missing (they keep their value).
func (c *call) params(required int, dst ...any) error {
	var ps []json.RawMessage
	if len(c.Params) > 0 && string(c.Params) != "null" {
		if err := json.Unmarshal(c.Params, &ps); err != nil {
			return fmt.Errorf("%w: params must be an array", ErrParams)
		}
	}
	if len(ps) < required || len(ps) > len(dst) {
		return fmt.Errorf("%w: %s takes %d to %d parameters, got %d", ErrParams, c.Method, required, len(dst), len(ps))
	}
	for i, p := range ps {
		if err := json.Unmarshal(p, dst[i]); err != nil {
			return fmt.Errorf("%w: parameter %d: %w", ErrParams, i+1, err)
		}
	}
	return nil
}

// reply is the response to c with result (marshalled) or err.
func reply(c *call, result any, err error) *message {
	id := c.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	m := &message{Version: "2.0", ID: id}
	if err != nil {
		m.Error = toRPCError(err)
		return m
	}
	raw, merr := json.Marshal(result)
	if merr != nil {
		m.Error = &rpcError{Code: codeInternal, Message: merr.Error()}
		return m
	}
	m.Result = raw
	return m
}

// errorMessage is a response with id null, for a body that cannot be
// answered call by call.
func errorMessage(code int, msg string) *message {
	return &message{Version: "2.0", ID: json.RawMessage("null"), Error: &rpcError{Code: code, Message: msg}}
}

// toRPCError maps the proxy's errors to JSON-RPC error objects. The
// message is the error's text, which starts with the named cause.
func toRPCError(err error) *rpcError {
	var re *rpcError
	if errors.As(err, &re) {
		return re
	}
	code := codeRefused
	switch {
	case errors.Is(err, ErrParams):
		code = codeInvalidParams
	case errors.Is(err, ErrMethodBlocked):
		code = codeMethodNotFound
	case errors.Is(err, ErrUpstream):
		code = codeInternal
	}
	return &rpcError{Code: code, Message: err.Error()}
}

// blocked tells whether a method is refused instead of forwarded: it would
// hand the upstream a transaction in plaintext (a signed one, an unsigned
// one to sign, or a bundle).
func blocked(method string) bool {
	m := strings.ToLower(method)
	return strings.Contains(m, "sendraw") || strings.Contains(m, "sendtransaction") || strings.Contains(m, "signtransaction") ||
		strings.Contains(m, "bundle") || strings.Contains(m, "private")
}
