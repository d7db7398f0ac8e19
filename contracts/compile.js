#!/usr/bin/env node
// Compiles Veil's contracts (the L2 predeploys, the L1 contracts and the L2
// demo contracts) with the pinned solc-js (package.json) in standard-JSON
// mode, all sources in one input (src/X.sol may import "./Y.sol"), and
// writes, for each contract Name in src/Name.sol:
//
//   <outdir>/Name.abi          the ABI (JSON, as solcjs --abi writes it)
//   <outdir>/Name.bin          the creation bytecode (hex, no 0x, no newline)
//   <outdir>/Name.bin-runtime  the runtime (deployed) bytecode, for a
//                              predeploy the code placed in genesis
//   <outdir>/Name.storage.json the storage layout (slot of every variable)
//
// Usage: node compile.js <outdir>. Run by build.sh and by the drift test.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const SOLC_VERSION = '0.8.37';
const CONTRACTS = [
  'EncryptedInbox', 'Bridge', // L2 predeploys
  'KeyperSetManager', 'KeyBroadcast', 'BatchInbox', 'L1Inbox', // L1
  'DemoToken', 'ConstantProductPool', // L2 demo contracts (veil demo sandwich)
];

function main() {
  const outDir = process.argv[2];
  if (!outDir) {
    throw new Error('usage: node compile.js <outdir>');
  }
  if (!solc.version().startsWith(SOLC_VERSION + '+')) {
    throw new Error(`solc ${solc.version()} installed, want ${SOLC_VERSION} (run npm ci)`);
  }
  const sources = {};
  for (const name of CONTRACTS) {
    const file = `src/${name}.sol`;
    sources[file] = { content: fs.readFileSync(path.join(__dirname, file), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      // Every Veil fork runs through Osaka (execution/config.go); pin the
      // target so a solc default change cannot alter the bytecode.
      evmVersion: 'osaka',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'storageLayout'] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  let failed = false;
  for (const e of output.errors || []) {
    process.stderr.write(e.formattedMessage || e.message);
    // Warnings fail the build too: the contracts compile clean.
    failed = true;
  }
  if (failed) {
    throw new Error('compilation produced errors or warnings');
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of CONTRACTS) {
    const c = output.contracts[`src/${name}.sol`][name];
    const runtime = c.evm.deployedBytecode.object;
    if (runtime.length === 0) {
      throw new Error(`${name}: empty runtime bytecode`);
    }
    const layout = c.storageLayout.storage.map((s) => ({
      label: s.label, slot: Number(s.slot), offset: s.offset, type: c.storageLayout.types[s.type].label,
    }));
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(c.abi));
    fs.writeFileSync(path.join(outDir, `${name}.bin`), c.evm.bytecode.object);
    fs.writeFileSync(path.join(outDir, `${name}.bin-runtime`), runtime);
    fs.writeFileSync(path.join(outDir, `${name}.storage.json`), JSON.stringify(layout, null, 2) + '\n');
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`compile.js: ${err.message}\n`);
  process.exit(1);
}
