// Compiles Storage.sol into Storage.json ({abi, bytecode}) with the solc-js
// pinned in contracts/ (run `npm ci` there first). Usage: node compile.cjs
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '../../../../contracts/node_modules/solc'));

const input = {
  language: 'Solidity',
  sources: { 'Storage.sol': { content: fs.readFileSync(path.join(__dirname, 'Storage.sol'), 'utf8') } },
  settings: {
    evmVersion: 'osaka',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors || []) {
  process.stderr.write(e.formattedMessage || e.message);
}
if ((out.errors || []).length > 0) {
  process.exit(1);
}
const c = out.contracts['Storage.sol'].Storage;
const artifact = { solc: solc.version(), abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
fs.writeFileSync(path.join(__dirname, 'Storage.json'), JSON.stringify(artifact, null, 2) + '\n');
