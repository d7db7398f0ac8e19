// Package devnet runs the whole Veil system in one process (DESIGN.md
// section 9): an in-process L1 with Veil's contracts, n keypers on
// loopback libp2p that run a fresh DKG and vote the eon key on L1, the
// sequencer with its JSON-RPC, the poster that puts every executed batch
// on L1, and a verifier (package verify) that follows L1 and checks every
// posted batch, stopping the devnet at a mismatch (Config.NoVerifier
// leaves it out). `veil devnet` runs it; the end-to-end tests drive it,
// and can stop and start each keyper and the sequencer.
//
// Decisions:
//   - The L1 is go-ethereum's node with the simulated beacon, embedded
//     (l1.OpenEmbedded) and kept in the devnet's directory as an archive
//     node, so a restart (even after kill -9) continues the same L1: the
//     contracts, the eon key and the posted batches are still there. Blocks
//     come every L1BlockTime; every 32nd is final.
//   - Two L1 accounts: the operator's (l1-operator.key) deploys the
//     contracts, owns KeyperSetManager (the first keyper set is added at
//     the first start, active from the next block, added again from the
//     new head if L1 seals past it first) and funds later keypers;
//     the sequencer's key is the one the contracts check and pays for the
//     postings. Kept apart so that the operator's transactions never take a
//     nonce the poster planned for a posting. Keypers vote from their own
//     keys, funded at L1 genesis.
//   - The eon key the sequencer uses is the one final on L1, checked to be
//     the one the DKG made. The keypers' public shares (to verify their
//     shares) come from the DKG record, as L1 does not carry them. Start
//     seals L1 blocks ahead to the next final one once the key is accepted,
//     instead of waiting up to 32 block times.
//   - Dev accounts are derived from a fixed seed (like other dev chains),
//     so their keys are the same on every machine and never hold real
//     value; they are funded on L2 and on L1 (to deposit and force
//     envelopes).
//   - More committees: AddKeyperSet creates n new keypers (keys in
//     set-<index>/ of the directory, funded on L1 by the operator), adds
//     their set on L1 active a few blocks ahead, starts them (each keyper
//     of each committee is its own process: host, store, directory), and
//     returns once their DKG is done and their eon key final on L1
//     (sealing ahead to finality). The sequencer's eon schedule reads the
//     sets from L1 and makes an eon ready once its set and key are final
//     and the devnet holds its DKG record (the committee checked against
//     L1's members, the key against the DKG's); the chain switches at the
//     activation block. New keypers dial the running sequencer (it lists
//     them as peers from its next start). StopEonKeyper and StartEonKeyper
//     stop and start any committee's keypers, StopKeyper and StartKeyper
//     the first committee's. Each committee's config is written as
//     committee-<eon>.json. A restart starts every committee.
//   - Withheld batches: every keyper re-publishes a batch it released that
//     is not on L1 after Config.RepublishAfter (keyper package doc).
//     Config.Rescuer runs a rescuer (package rescue) with its own libp2p
//     host, which the keypers peer with, its own chain in rescuer/, and its
//     own L1 account (rescuer.key, funded by the operator at start when
//     below 10 ether); it knows the committees running at its start.
//     Config.WithholdKeys is the sequencer's fault-injection hook for
//     tests (ordering.Config.WithholdKeys).
//   - Memory: everything runs in one process, so its resident memory is
//     the sum of the parts, and each part is bounded. The L2 nodes'
//     go-ethereum caches are Config.CacheMB (DefaultCacheMB, 64 MiB: a
//     devnet's state is a few hundred accounts) and the embedded L1's 64
//     MiB; pebble's block caches and memtables (C malloc) and the trie and
//     snapshot caches (fastcache, mmap) sit outside the Go heap, fill as
//     the chains are read and then stay at their caps. The Go heap's live part is
//     mostly go-ethereum's caches of decoded blocks and transactions in
//     both nodes, bounded by count (256 blocks each); the runtime keeps up
//     to twice the live heap unless `veil --memory-limit-mb` sets a soft
//     limit. The execution record is pruned at every checkpoint (package
//     execution). The mapped pages of the bbolt files count as file-backed
//     resident memory; they are page cache the kernel reclaims under
//     pressure, but they follow the files' sizes: the keypers' stores and
//     the sequencer's batch log keep every batch, so those grow with the
//     chain (see packages keyper and ordering).
//   - Keys are created in the directory (a temporary one, removed on
//     Close, when none is given). libp2p ports are picked afresh at each
//     start; peers find each other by the addresses of this start.
package devnet
