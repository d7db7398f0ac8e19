// Package sandwich is the scenario behind `veil demo sandwich`: a searcher
// that sees pending transactions tries to trade around a victim's swap on a
// constant-product pool, first on a conventional L2 and then on Veil, from
// the same starting state, and Run returns the numbers of both runs.
//
// # The scenario
//
// Both L2s start alike: the devnet's dev accounts 0 to 3 (DefaultRoles:
// deployer, victim, searcher, the victim's fee payer), each with 10,000
// ether; the deployer's first three transactions create DemoToken A and B
// and a ConstantProductPool of the two (package contracts), so the
// addresses match too; it adds Params.Liquidity of each (a price of 1),
// mints Params.VictimIn of A to the victim and Params.SearcherBudget of A
// to the searcher, and both approve the pool. The setup is plaintext on
// both chains: it is not what the demo is about.
//
// The victim then asks the pool for a quote (getAmountsOut, at the latest
// block), sets amountOutMin to the quote less its slippage tolerance
// (Params.SlippageBps, 1% by default, a common wallet setting) and sends
// swapExactTokensForTokens. The searcher reacts to each pending
// transaction it sees (searcher.react):
//
//   - Conventional (RunConventional): Conventional is an L2 sequencer as
//     most run today, built from the same execution package (execution.Node
//     and BlockInput with plaintext items): a plaintext mempool that anyone
//     can follow (Watch), and blocks ordered by priority fee. The searcher
//     reads the victim's swap, computes the largest front-run after which
//     the victim still gets its minimum (OptimalFrontRun, the pool's own
//     arithmetic in Go), and sends the front-run with a tip above the
//     victim's and the back-run, selling exactly what the front-run bought,
//     with a tip below it, each with its plan's output as its minimum. The
//     block interval ends (the demo seals once the searcher has sent, as a
//     real searcher has the whole interval to): front-run, victim, back-run.
//     The victim gets its minimum, less than quoted; the searcher keeps the
//     difference less the pool's fees.
//   - Veil (RunVeil): a devnet (package devnet: in-process L1, keypers with
//     a fresh DKG, the sequencer). The searcher is the sequencer's
//     operator: users reach the sequencer through its front door (a
//     JSON-RPC proxy, ingress), where it sees every transaction the
//     sequencer admits, raw, the moment it is admitted. The victim sends
//     its swap through the client library (encmempool/client), as an
//     envelope. The operator sees an envelope: the payer, the ciphertext's
//     length, the eon and the declared gas, and not the contract, token,
//     direction or amount. It guesses the direction the conventional
//     victim took (the best guess there is), and buys B with
//     Params.BlindStake of A at once, with a high tip and no minimum, then
//     sells the B once its buy executed. First come, first served: the
//     victim's envelope has its sequence number and signed order receipt
//     before the searcher knew anything, and the order is committed before
//     any key exists, so the buy runs after the victim's swap. The victim
//     gets exactly the quote; the searcher's round trip pays the pool's fee
//     twice and it loses.
//
// Outcome holds each run's numbers: the quote, the minimum, what the
// victim received, the searcher's balance change per token (gas not
// counted; its gas is reported apart), the gas used, the order the
// transactions executed in and what the searcher could see of the
// victim's transaction. WriteReport prints both side by side.
//
// # What this shows and what it does not
//
//   - The operator here sees admitted transactions. A real operator could
//     also look at an envelope before admitting it, and delay it (DESIGN.md
//     section 11: a transaction without a receipt can be held back; L1
//     forced inclusion is the way around that). Without the content it
//     still cannot tell which way to trade, or whether delaying would help.
//   - Reordering committed transactions needs a batch that contradicts the
//     victim's signed order receipt, which is provable misbehaviour on L1
//     (BatchInbox freezes the sequencer); keys exist only for the committed
//     batch.
//   - Once its batch executed the victim's swap is public, like any
//     executed transaction; trading after it (arbitrage) no longer changes
//     what the victim got.
//   - On Veil the victim's swap is an inner transaction, so VictimGas is
//     the swap's own gas; the envelope's gas is paid by the payer.
//
// The pool's arithmetic in Go (AmountOut, Simulate, OptimalFrontRun) is
// checked against the contract on go-ethereum's simulated backend in this
// package's tests.
package sandwich
