// Package client is the Go client library of a Veil sequencer: it fetches
// the eon key, encrypts a signed transaction into an envelope paid by a fee
// account, submits it, and waits for the sequencer's signed order receipt
// and then for the execution receipt (DESIGN.md sections 3, 4 and 9).
//
// # Use
//
//	c, _ := client.Dial(ctx, "http://127.0.0.1:8545", client.WithPayer(client.NewPayer(feeKey)))
//	inner, _ := c.SignInner(ctx, userKey, client.Call{To: &to, Value: amount}) // or any signed tx
//	p, _ := c.Send(ctx, inner)          // admitted: its sequence number is fixed
//	r, _ := c.WaitOrdered(ctx, p)       // the order receipt, signature verified
//	x, _ := c.WaitExecuted(ctx, p)      // the inner transaction's receipt
//
// What goes over the wire is the envelope; the plaintext never leaves the
// process. The sequencer serves eth_ and veil_ on one endpoint, over HTTP
// or WebSocket: veil_eon (the eon and its key), eth_sendRawTransaction
// (admission), veil_getOrderReceipt, eth_getTransactionReceipt.
//
// # Decisions
//
//   - Eon key: veil_eon, parsed and cached. With an EonKeySource (the L1
//     contracts) every key is compared with L1's before use, and a
//     different one is ErrEonKeyMismatch: nothing is encrypted to it. When
//     the sequencer answers that an envelope is for another eon
//     (encmempool.ErrWrongEon) the client fetches the eon again and
//     rebuilds the envelope once, with a fresh identity. That is how
//     clients follow an eon switch (a new keyper set on L1): once the
//     sequencer admits only the next eon, an envelope for the old one is
//     refused with ErrWrongEon, and Send encrypts to the eon veil_eon
//     names now; the inner transaction and its nonce are kept. Order receipts are
//     checked against the sequencer address veil_eon names, or against
//     WithSequencer's (the address registered on L1) when given; only the
//     latter makes a receipt evidence without trusting the endpoint.
//   - Fees, for envelopes and SignInner alike: tip = eth_maxPriorityFeePerGas
//     (go-ethereum's oracle, which the sequencer's node serves: 1 mwei on a
//     fresh chain), DefaultTip (1 gwei) where a node does not serve it, or
//     WithTip; fee cap = 2 × the latest block's base fee + tip. Admission
//     needs the next block's base fee (at most 12.5% above the latest) and
//     execution comes a block or two later; doubling covers six full
//     blocks. Ordering is first come, first served, so the tip buys no
//     position. The deposit is declared gas × the envelope's fee cap
//     (BuildEnvelope); it is refunded when the inner transaction executes,
//     so a higher cap only locks funds for that long.
//   - Payer nonces: eth_getTransactionCount(payer, "pending") at first use
//     (it counts admitted envelopes), then counted locally. A nonce error
//     from the sequencer makes the payer read it again and rebuild the
//     envelope once. A refused envelope (ErrRejected) uses no nonce. A
//     transport failure (ErrSendUnknown) leaves it unknown whether the
//     envelope was admitted: the payer reads its nonce again on next use,
//     and WaitOrdered on the returned Pending tells.
//   - Order and concurrency: a Client and a Payer are safe for concurrent
//     use. A payer's envelopes are numbered in the order the Send (or
//     Encrypt) calls began: each call takes a ticket on entry, reads the
//     eon and fees while earlier calls hold their turns, and builds,
//     signs and submits during its own. Admission takes exactly the next
//     nonce (no gaps), so one payer's submissions cannot overlap anyway:
//     a payer sends one envelope per encryption (about 1 ms) plus round
//     trip; use several payers, each with its Client, for more.
//   - Inner nonces: the sequencer cannot count a user's transactions while
//     they are encrypted, so SignInner takes max(pending nonce, one past
//     the last nonce it gave that sender). The count goes back by one when
//     Send fails without the envelope being admitted, and restarts from the
//     chain when WaitExecuted finds the transaction dropped. A user's inner
//     transactions execute in the order of their envelopes: send one
//     sender's transactions one after another, in nonce order (concurrent
//     Sends from one sender may be ordered either way, and a later nonce
//     ordered first is dropped at its slot).
//   - WaitOrdered polls veil_getOrderReceipt (the receipt exists as soon as
//     Send returns, so this is one call) and checks the signature, the
//     chain and that the receipt names the envelope hash. WaitExecuted
//     polls eth_getTransactionReceipt with backoff (50 ms to 500 ms) until
//     ctx ends. An inner transaction executes in its envelope's block or
//     never: once the envelope's receipt exists and the inner's does not,
//     the inner was dropped (ErrDropped). A reverted transaction returns
//     its receipt with ErrReverted.
//   - Logs: none by default; WithLogger receives payer resyncs and eon
//     refreshes, never a plaintext or an inner transaction's hash.
//
// Every failure is a named Err value, wrapping its cause; a refusal by the
// sequencer also wraps encmempool's error for it (errors.Is(err,
// encmempool.ErrInsufficientFunds)).
//
// What an envelope still shows (DESIGN.md section 11): the payer, the
// ciphertext's size bucket, the declared gas (the inner gas limit) and the
// time of submission.
package client
