// Uses ethers v6, unchanged, against veil proxy, as a dapp script would:
// a transfer, two transfers sent back to back (the second one's nonce comes
// from the proxy's pending count), a contract deployment and a contract
// call, each awaited with tx.wait(). Prints the results as one JSON object.
//
// Usage: node send.mjs PROXY_URL PRIVATE_KEY RECIPIENT
// (npm ci first; cmd/veil's TestProxy runs it against a devnet.)
import { readFileSync } from 'node:fs';
import { ContractFactory, JsonRpcProvider, Wallet, parseEther } from 'ethers';

const [url, key, recipient] = process.argv.slice(2);
if (!url || !key || !recipient) {
  console.error('usage: node send.mjs PROXY_URL PRIVATE_KEY RECIPIENT');
  process.exit(2);
}
const timer = setTimeout(() => {
  console.error('send.mjs: timed out');
  process.exit(1);
}, 50_000);

const artifact = JSON.parse(readFileSync(new URL('./Storage.json', import.meta.url), 'utf8'));
// cacheTimeout -1: ethers otherwise answers a repeated call from a 250 ms
// cache, so a second send right after the first would reuse its nonce
// instead of asking the proxy's pending count (against any node).
const provider = new JsonRpcProvider(url, undefined, { pollingInterval: 200, cacheTimeout: -1 });
const wallet = new Wallet(key, provider);

function summary(tx, receipt) {
  if (receipt.hash !== tx.hash) {
    throw new Error(`receipt ${receipt.hash} is not for ${tx.hash}`);
  }
  return { hash: tx.hash, nonce: tx.nonce, status: receipt.status, block: receipt.blockNumber };
}

const out = { from: wallet.address, chainId: (await provider.getNetwork()).chainId.toString() };

// A transfer.
const tx = await wallet.sendTransaction({ to: recipient, value: parseEther('0.5') });
out.transfer = summary(tx, await tx.wait());

// Two transfers without waiting in between.
const a = await wallet.sendTransaction({ to: recipient, value: parseEther('0.25') });
out.pendingAfterFirst = await provider.getTransactionCount(wallet.address, 'pending');
const b = await wallet.sendTransaction({ to: recipient, value: parseEther('0.25') });
const [ra, rb] = await Promise.all([a.wait(), b.wait()]);
out.pair = [summary(a, ra), summary(b, rb)];

// A deployment and a call.
const factory = new ContractFactory(artifact.abi, artifact.bytecode, wallet);
const storage = await factory.deploy();
const deployTx = storage.deploymentTransaction();
await storage.waitForDeployment();
out.deploy = { ...summary(deployTx, await deployTx.wait()), address: await storage.getAddress() };
const call = await storage.set(42n);
const callReceipt = await call.wait();
out.call = summary(call, callReceipt);
const event = callReceipt.logs.map((l) => storage.interface.parseLog(l)).find((e) => e && e.name === 'Set');
out.call.event = event ? { by: event.args.by, value: event.args.value.toString() } : null;
out.value = (await storage.value()).toString();
out.balance = (await provider.getBalance(recipient)).toString();

console.log(JSON.stringify(out));
clearTimeout(timer);
provider.destroy();
