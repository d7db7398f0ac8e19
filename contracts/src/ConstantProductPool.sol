// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title The ERC-20 functions the pool calls.
interface IERC20Transfers {
    /// @notice Moves `amount` of the caller's tokens to `to`.
    /// @param to The recipient.
    /// @param amount The amount.
    /// @return True on success.
    function transfer(address to, uint256 amount) external returns (bool);

    /// @notice Moves `amount` of `from`'s tokens to `to` on the caller's allowance.
    /// @param from The holder.
    /// @param to The recipient.
    /// @param amount The amount.
    /// @return True on success.
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title ConstantProductPool
/// @notice A constant-product market maker for one pair of ERC-20 tokens,
/// Uniswap v2 style, with the pair and the router in one contract: reserves
/// x·y = k, a 0.3% fee paid to the liquidity providers, getAmountOut and
/// getAmountsOut to quote, swapExactTokensForTokens with a minimum output and
/// a deadline, addLiquidity and removeLiquidity with minimums and deadlines.
/// Liquidity shares are balances in this contract (not a token).
/// @dev Written for the sandwich demo: small, with the arithmetic of Uniswap
/// v2 (UniswapV2Library.getAmountOut, UniswapV2Router02._addLiquidity,
/// UniswapV2Pair.mint and burn, including the MINIMUM_LIQUIDITY locked at the
/// first deposit). The reserves are the pool's own accounting, updated with
/// the amounts it moves: tokens sent to the pool directly are ignored, and
/// only standard ERC-20 tokens work (no fee-on-transfer or rebasing tokens).
/// token0 is the token with the lower address, as in Uniswap. Every external
/// function that moves tokens holds a reentrancy lock.
contract ConstantProductPool {
    /// @notice The token with the lower address.
    address public immutable token0;
    /// @notice The token with the higher address.
    address public immutable token1;
    /// @notice Liquidity locked forever at the first deposit (held by
    /// address(0)), so that no share can be made worth a whole pool.
    uint256 public constant MINIMUM_LIQUIDITY = 1000;

    /// @dev The fee is 0.3%: an input counts FEE_NUMERATOR/FEE_DENOMINATOR of itself.
    uint256 private constant FEE_NUMERATOR = 997;
    uint256 private constant FEE_DENOMINATOR = 1000;

    uint256 private _reserve0;
    uint256 private _reserve1;
    /// @notice The liquidity shares in existence.
    uint256 public totalSupply;
    /// @notice Each provider's liquidity shares.
    mapping(address provider => uint256) public liquidityOf;
    uint256 private _unlocked = 1;

    /// @notice A swap: `sender` paid `amountIn` of `tokenIn`, `to` got `amountOut` of the other token.
    /// @param sender The caller.
    /// @param tokenIn The token paid in.
    /// @param amountIn The amount paid in.
    /// @param amountOut The amount paid out.
    /// @param to The recipient of the output.
    event Swap(address indexed sender, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);
    /// @notice Liquidity was added.
    /// @param provider The caller, who paid the tokens.
    /// @param to The owner of the new shares.
    /// @param amount0 The amount of token0 added.
    /// @param amount1 The amount of token1 added.
    /// @param liquidity The shares minted to `to`.
    event LiquidityAdded(address indexed provider, address indexed to, uint256 amount0, uint256 amount1, uint256 liquidity);
    /// @notice Liquidity was removed.
    /// @param provider The caller, whose shares were burned.
    /// @param to The recipient of the tokens.
    /// @param amount0 The amount of token0 paid out.
    /// @param amount1 The amount of token1 paid out.
    /// @param liquidity The shares burned.
    event LiquidityRemoved(address indexed provider, address indexed to, uint256 amount0, uint256 amount1, uint256 liquidity);
    /// @notice The reserves after a change.
    /// @param reserve0 The reserve of token0.
    /// @param reserve1 The reserve of token1.
    event Sync(uint256 reserve0, uint256 reserve1);

    /// @notice The two tokens of the constructor are the same.
    error IdenticalTokens();
    /// @notice A token address holds no code (or is address(0)).
    /// @param token The address.
    error NotAContract(address token);
    /// @notice The transaction was mined after its deadline.
    /// @param deadline The caller's deadline.
    /// @param timestamp The block's timestamp.
    error Expired(uint256 deadline, uint256 timestamp);
    /// @notice The swap would pay out less than the caller's minimum (the
    /// slippage protection).
    /// @param amountOut What the swap would pay.
    /// @param amountOutMin The caller's minimum.
    error InsufficientOutputAmount(uint256 amountOut, uint256 amountOutMin);
    /// @notice The input amount is zero.
    error InsufficientInputAmount();
    /// @notice The pool has no liquidity on a side the operation needs, or
    /// the output would drain a reserve.
    error InsufficientLiquidity();
    /// @notice An addLiquidity or removeLiquidity amount is below the caller's minimum.
    /// @param token The token concerned.
    /// @param amount The amount the operation would use or pay.
    /// @param amountMin The caller's minimum.
    error InsufficientAmount(address token, uint256 amount, uint256 amountMin);
    /// @notice addLiquidity would mint no shares.
    error InsufficientLiquidityMinted();
    /// @notice removeLiquidity would pay out nothing of a token.
    error InsufficientLiquidityBurned();
    /// @notice removeLiquidity asked for more shares than the caller has.
    /// @param liquidity The caller's shares.
    /// @param needed The shares to burn.
    error InsufficientShares(uint256 liquidity, uint256 needed);
    /// @notice The path is not [token0, token1] or [token1, token0].
    error InvalidPath();
    /// @notice The recipient is one of the pool's tokens or address(0).
    /// @param to The recipient.
    error InvalidTo(address to);
    /// @notice A token transfer returned false or reverted.
    /// @param token The token.
    error TransferFailed(address token);
    /// @notice A reentrant call.
    error Locked();

    /// @dev Reverts Locked on reentry.
    modifier lock() {
        if (_unlocked != 1) revert Locked();
        _unlocked = 2;
        _;
        _unlocked = 1;
    }

    /// @dev Reverts Expired after `deadline`.
    /// @param deadline The latest block timestamp allowed.
    modifier ensure(uint256 deadline) {
        if (block.timestamp > deadline) revert Expired(deadline, block.timestamp);
        _;
    }

    /// @notice Creates the (empty) pool of two tokens; their order does not matter.
    /// @param tokenA One token (a contract).
    /// @param tokenB The other token (a contract).
    constructor(address tokenA, address tokenB) {
        if (tokenA == tokenB) revert IdenticalTokens();
        if (tokenA.code.length == 0) revert NotAContract(tokenA);
        if (tokenB.code.length == 0) revert NotAContract(tokenB);
        (token0, token1) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
    }

    /// @notice The current reserves.
    /// @return reserve0 The reserve of token0.
    /// @return reserve1 The reserve of token1.
    function getReserves() external view returns (uint256 reserve0, uint256 reserve1) {
        return (_reserve0, _reserve1);
    }

    /// @notice What a swap of `amountIn` pays out from reserves
    /// (reserveIn, reserveOut), after the 0.3% fee:
    /// amountIn·997·reserveOut / (reserveIn·1000 + amountIn·997), rounded down.
    /// @param amountIn The input amount (non-zero).
    /// @param reserveIn The reserve of the input token (non-zero).
    /// @param reserveOut The reserve of the output token (non-zero).
    /// @return amountOut The output amount.
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) public pure returns (uint256 amountOut) {
        if (amountIn == 0) revert InsufficientInputAmount();
        if (reserveIn == 0 || reserveOut == 0) revert InsufficientLiquidity();
        uint256 amountInWithFee = amountIn * FEE_NUMERATOR;
        amountOut = (amountInWithFee * reserveOut) / (reserveIn * FEE_DENOMINATOR + amountInWithFee);
    }

    /// @notice Quotes a swap along `path` at the current reserves: what
    /// swapExactTokensForTokens would pay if it ran now.
    /// @param amountIn The input amount.
    /// @param path [tokenIn, tokenOut], the pool's two tokens.
    /// @return amounts [amountIn, amountOut].
    function getAmountsOut(uint256 amountIn, address[] calldata path) external view returns (uint256[] memory amounts) {
        bool zeroForOne = _direction(path);
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (_reserve0, _reserve1) : (_reserve1, _reserve0);
        amounts = new uint256[](2);
        amounts[0] = amountIn;
        amounts[1] = getAmountOut(amountIn, reserveIn, reserveOut);
    }

    /// @notice The amount of B worth `amountA` of A at reserves
    /// (reserveA, reserveB), without fee: amountA·reserveB / reserveA.
    /// @param amountA The amount of A (non-zero).
    /// @param reserveA The reserve of A (non-zero).
    /// @param reserveB The reserve of B (non-zero).
    /// @return amountB The equivalent amount of B.
    function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) public pure returns (uint256 amountB) {
        if (amountA == 0) revert InsufficientInputAmount();
        if (reserveA == 0 || reserveB == 0) revert InsufficientLiquidity();
        amountB = (amountA * reserveB) / reserveA;
    }

    /// @notice Swaps exactly `amountIn` of path[0] for at least `amountOutMin`
    /// of path[1], paid to `to`. The caller must have approved the pool for
    /// `amountIn` of path[0].
    /// @param amountIn The input amount (non-zero).
    /// @param amountOutMin The least output accepted: the slippage protection.
    /// @param path [tokenIn, tokenOut], the pool's two tokens.
    /// @param to The recipient of the output (not one of the tokens).
    /// @param deadline The latest block timestamp at which the swap may run.
    /// @return amounts [amountIn, amountOut].
    /// @dev Reverts Expired, InvalidPath, InvalidTo, InsufficientInputAmount,
    /// InsufficientLiquidity, InsufficientOutputAmount (also when the output
    /// would be zero) or TransferFailed.
    function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] calldata path, address to, uint256 deadline)
        external
        lock
        ensure(deadline)
        returns (uint256[] memory amounts)
    {
        bool zeroForOne = _direction(path);
        if (to == token0 || to == token1 || to == address(0)) revert InvalidTo(to);
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (_reserve0, _reserve1) : (_reserve1, _reserve0);
        uint256 amountOut = getAmountOut(amountIn, reserveIn, reserveOut);
        // A swap paying nothing is refused even with amountOutMin 0, as in
        // Uniswap v2. getAmountOut is below reserveOut for any input, so no
        // reserve is ever drained to zero.
        if (amountOut == 0 || amountOut < amountOutMin) revert InsufficientOutputAmount(amountOut, amountOutMin);
        if (zeroForOne) {
            _setReserves(reserveIn + amountIn, reserveOut - amountOut);
        } else {
            _setReserves(reserveOut - amountOut, reserveIn + amountIn);
        }
        _pull(path[0], amountIn);
        _push(path[1], to, amountOut);
        amounts = new uint256[](2);
        amounts[0] = amountIn;
        amounts[1] = amountOut;
        emit Swap(msg.sender, path[0], amountIn, amountOut, to);
    }

    /// @notice Adds liquidity at the current price: takes the largest amounts
    /// up to the desired ones in the ratio of the reserves (any amounts on the
    /// first deposit), and mints shares to `to`. The caller must have
    /// approved the pool for both amounts.
    /// @param amount0Desired The most token0 to add.
    /// @param amount1Desired The most token1 to add.
    /// @param amount0Min The least token0 to add.
    /// @param amount1Min The least token1 to add.
    /// @param to The owner of the new shares.
    /// @param deadline The latest block timestamp at which this may run.
    /// @return amount0 The token0 added.
    /// @return amount1 The token1 added.
    /// @return liquidity The shares minted.
    /// @dev The first deposit mints sqrt(amount0·amount1) shares, of which
    /// MINIMUM_LIQUIDITY go to address(0); later ones mint in proportion to
    /// the reserves, the smaller of the two ratios.
    function addLiquidity(
        uint256 amount0Desired,
        uint256 amount1Desired,
        uint256 amount0Min,
        uint256 amount1Min,
        address to,
        uint256 deadline
    ) external lock ensure(deadline) returns (uint256 amount0, uint256 amount1, uint256 liquidity) {
        if (to == address(0)) revert InvalidTo(to);
        (uint256 reserve0, uint256 reserve1) = (_reserve0, _reserve1);
        if (reserve0 == 0 && reserve1 == 0) {
            (amount0, amount1) = (amount0Desired, amount1Desired);
        } else {
            uint256 amount1Optimal = quote(amount0Desired, reserve0, reserve1);
            if (amount1Optimal <= amount1Desired) {
                if (amount1Optimal < amount1Min) revert InsufficientAmount(token1, amount1Optimal, amount1Min);
                (amount0, amount1) = (amount0Desired, amount1Optimal);
            } else {
                // amount0Optimal <= amount0Desired: amount1Desired is below
                // amount0Desired's equivalent.
                uint256 amount0Optimal = quote(amount1Desired, reserve1, reserve0);
                if (amount0Optimal < amount0Min) revert InsufficientAmount(token0, amount0Optimal, amount0Min);
                (amount0, amount1) = (amount0Optimal, amount1Desired);
            }
        }
        uint256 supply = totalSupply;
        if (supply == 0) {
            uint256 root = _sqrt(amount0 * amount1);
            if (root <= MINIMUM_LIQUIDITY) revert InsufficientLiquidityMinted();
            liquidity = root - MINIMUM_LIQUIDITY;
            _mintShares(address(0), MINIMUM_LIQUIDITY);
        } else {
            uint256 l0 = (amount0 * supply) / reserve0;
            uint256 l1 = (amount1 * supply) / reserve1;
            liquidity = l0 < l1 ? l0 : l1;
            if (liquidity == 0) revert InsufficientLiquidityMinted();
        }
        _mintShares(to, liquidity);
        _setReserves(reserve0 + amount0, reserve1 + amount1);
        _pull(token0, amount0);
        _pull(token1, amount1);
        emit LiquidityAdded(msg.sender, to, amount0, amount1, liquidity);
    }

    /// @notice Burns `liquidity` of the caller's shares and pays their part of
    /// both reserves to `to`.
    /// @param liquidity The shares to burn.
    /// @param amount0Min The least token0 to receive.
    /// @param amount1Min The least token1 to receive.
    /// @param to The recipient of the tokens (not one of the tokens).
    /// @param deadline The latest block timestamp at which this may run.
    /// @return amount0 The token0 paid out.
    /// @return amount1 The token1 paid out.
    function removeLiquidity(uint256 liquidity, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline)
        external
        lock
        ensure(deadline)
        returns (uint256 amount0, uint256 amount1)
    {
        if (to == token0 || to == token1 || to == address(0)) revert InvalidTo(to);
        (amount0, amount1) = _burnShares(liquidity);
        if (amount0 < amount0Min) revert InsufficientAmount(token0, amount0, amount0Min);
        if (amount1 < amount1Min) revert InsufficientAmount(token1, amount1, amount1Min);
        _push(token0, to, amount0);
        _push(token1, to, amount1);
        emit LiquidityRemoved(msg.sender, to, amount0, amount1, liquidity);
    }

    /// @dev Whether `path` swaps token0 for token1 (true) or token1 for token0.
    /// @param path The swap path.
    /// @return zeroForOne True for token0 → token1.
    function _direction(address[] calldata path) private view returns (bool zeroForOne) {
        if (path.length != 2) revert InvalidPath();
        if (path[0] == token0 && path[1] == token1) return true;
        if (path[0] == token1 && path[1] == token0) return false;
        revert InvalidPath();
    }

    /// @dev Stores the reserves and emits Sync.
    /// @param reserve0 The new reserve of token0.
    /// @param reserve1 The new reserve of token1.
    function _setReserves(uint256 reserve0, uint256 reserve1) private {
        _reserve0 = reserve0;
        _reserve1 = reserve1;
        emit Sync(reserve0, reserve1);
    }

    /// @dev Credits `amount` shares to `to`.
    /// @param to The owner.
    /// @param amount The shares.
    function _mintShares(address to, uint256 amount) private {
        totalSupply += amount;
        liquidityOf[to] += amount;
    }

    /// @dev Burns `liquidity` of the caller's shares and takes their part of
    /// both reserves out of the reserves.
    /// @param liquidity The shares to burn.
    /// @return amount0 The caller's part of reserve0, rounded down.
    /// @return amount1 The caller's part of reserve1, rounded down.
    function _burnShares(uint256 liquidity) private returns (uint256 amount0, uint256 amount1) {
        uint256 shares = liquidityOf[msg.sender];
        if (shares < liquidity) revert InsufficientShares(shares, liquidity);
        uint256 supply = totalSupply;
        amount0 = (liquidity * _reserve0) / supply;
        amount1 = (liquidity * _reserve1) / supply;
        if (amount0 == 0 || amount1 == 0) revert InsufficientLiquidityBurned();
        unchecked {
            // liquidity <= shares <= supply.
            liquidityOf[msg.sender] = shares - liquidity;
            totalSupply = supply - liquidity;
        }
        _setReserves(_reserve0 - amount0, _reserve1 - amount1);
    }

    /// @dev Takes `amount` of `token` from the caller (transferFrom).
    /// @param token The token.
    /// @param amount The amount.
    function _pull(address token, uint256 amount) private {
        _call(token, abi.encodeCall(IERC20Transfers.transferFrom, (msg.sender, address(this), amount)));
    }

    /// @dev Pays `amount` of `token` to `to` (transfer).
    /// @param token The token.
    /// @param to The recipient.
    /// @param amount The amount.
    function _push(address token, address to, uint256 amount) private {
        _call(token, abi.encodeCall(IERC20Transfers.transfer, (to, amount)));
    }

    /// @dev Calls a token and reverts TransferFailed unless the call succeeds
    /// and returns true or nothing (as Uniswap's TransferHelper accepts).
    /// @param token The token (a contract, checked by the constructor).
    /// @param data The calldata.
    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length != 0 && (ret.length != 32 || abi.decode(ret, (uint256)) != 1))) {
            revert TransferFailed(token);
        }
    }

    /// @dev The integer square root, rounded down (Babylonian method, as Uniswap v2's Math.sqrt).
    /// @param y The radicand.
    /// @return z floor(sqrt(y)).
    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
