// SPDX-License-Identifier: MIT
// The contract the proxy tests deploy and call (cmd/veil/proxy_test.go and
// send.mjs). Storage.json is its compilation with the solc-js that
// contracts/ pins, for Osaka with the optimizer; from this directory:
//   node compile.cjs
pragma solidity ^0.8.0;

contract Storage {
    uint256 public value;

    event Set(address indexed by, uint256 value);

    function set(uint256 v) external {
        value = v;
        emit Set(msg.sender, v);
    }
}
