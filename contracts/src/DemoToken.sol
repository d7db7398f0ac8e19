// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title DemoToken
/// @notice A minimal ERC-20 token for demos and tests (the sandwich demo's two
/// tokens): 18 decimals, no supply cap, minted at will by the account that
/// deployed it. It has no value and is not meant to hold any.
/// @dev Standard ERC-20 behaviour: transfers and transferFrom return true or
/// revert (with the named errors below), an allowance of type(uint256).max is
/// never decreased, and approve overwrites the allowance.
contract DemoToken {
    /// @notice The token's name.
    string public name;
    /// @notice The token's ticker symbol.
    string public symbol;
    /// @notice The number of decimals of an amount (always 18).
    uint8 public constant decimals = 18;
    /// @notice The amount of tokens in existence.
    uint256 public totalSupply;
    /// @notice The account allowed to mint: the deployer.
    address public immutable minter;
    /// @notice The balance of each account.
    mapping(address account => uint256) public balanceOf;
    /// @notice How much a spender may still move from an owner's balance.
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @notice `value` tokens moved from `from` to `to` (from zero when minted).
    /// @param from The sender (address(0) for a mint).
    /// @param to The recipient.
    /// @param value The amount.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice `owner` allowed `spender` to move `value` of its tokens.
    /// @param owner The token holder.
    /// @param spender The account allowed to spend.
    /// @param value The new allowance.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice `mint` was called by an account other than the minter.
    error NotMinter();
    /// @notice A transfer to address(0) (tokens are never burned by transfer).
    error ZeroAddress();
    /// @notice The sender's balance is below the amount.
    /// @param balance The sender's balance.
    /// @param needed The amount that was to be moved.
    error InsufficientBalance(uint256 balance, uint256 needed);
    /// @notice The spender's allowance is below the amount.
    /// @param allowance The allowance left.
    /// @param needed The amount that was to be moved.
    error InsufficientAllowance(uint256 allowance, uint256 needed);

    /// @notice Creates the token with no supply; the deployer becomes the minter.
    /// @param name_ The token's name.
    /// @param symbol_ The token's symbol.
    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        minter = msg.sender;
    }

    /// @notice Creates `amount` new tokens for `to`. Only the minter may call.
    /// @param to The recipient (not address(0)).
    /// @param amount The amount to create.
    /// @dev Reverts NotMinter or ZeroAddress.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter();
        if (to == address(0)) revert ZeroAddress();
        totalSupply += amount;
        unchecked {
            // Cannot overflow: no balance exceeds totalSupply.
            balanceOf[to] += amount;
        }
        emit Transfer(address(0), to, amount);
    }

    /// @notice Moves `amount` of the caller's tokens to `to`.
    /// @param to The recipient (not address(0)).
    /// @param amount The amount.
    /// @return True (a failure reverts).
    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Sets the caller's allowance for `spender` to `amount`.
    /// @param spender The account allowed to spend (not address(0)).
    /// @param amount The new allowance; type(uint256).max is never decreased.
    /// @return True.
    function approve(address spender, uint256 amount) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice Moves `amount` of `from`'s tokens to `to`, spending the
    /// caller's allowance.
    /// @param from The holder.
    /// @param to The recipient (not address(0)).
    /// @param amount The amount.
    /// @return True (a failure reverts).
    /// @dev Reverts InsufficientAllowance, InsufficientBalance or ZeroAddress.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(allowed, amount);
            unchecked {
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    /// @dev Moves `amount` from `from` to `to` and emits Transfer.
    /// @param from The sender.
    /// @param to The recipient (not address(0)).
    /// @param amount The amount.
    function _transfer(address from, address to, uint256 amount) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        unchecked {
            // Cannot overflow: the sum of all balances is totalSupply.
            balanceOf[from] = balance - amount;
            balanceOf[to] += amount;
        }
        emit Transfer(from, to, amount);
    }
}
