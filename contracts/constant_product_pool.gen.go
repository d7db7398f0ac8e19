// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// ConstantProductPoolMetaData contains all meta data concerning the ConstantProductPool contract.
var ConstantProductPoolMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"tokenA\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"tokenB\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"timestamp\",\"type\":\"uint256\"}],\"name\":\"Expired\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"IdenticalTokens\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amountMin\",\"type\":\"uint256\"}],\"name\":\"InsufficientAmount\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InsufficientInputAmount\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InsufficientLiquidity\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InsufficientLiquidityBurned\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InsufficientLiquidityMinted\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amountOut\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amountOutMin\",\"type\":\"uint256\"}],\"name\":\"InsufficientOutputAmount\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"liquidity\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"InsufficientShares\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InvalidPath\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"}],\"name\":\"InvalidTo\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"Locked\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"}],\"name\":\"NotAContract\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"token\",\"type\":\"address\"}],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"provider\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount0\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount1\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"liquidity\",\"type\":\"uint256\"}],\"name\":\"LiquidityAdded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"provider\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount0\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount1\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"liquidity\",\"type\":\"uint256\"}],\"name\":\"LiquidityRemoved\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"tokenIn\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amountIn\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amountOut\",\"type\":\"uint256\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"}],\"name\":\"Swap\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"reserve0\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"reserve1\",\"type\":\"uint256\"}],\"name\":\"Sync\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"MINIMUM_LIQUIDITY\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amount0Desired\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount1Desired\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount0Min\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount1Min\",\"type\":\"uint256\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"}],\"name\":\"addLiquidity\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"amount0\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount1\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"liquidity\",\"type\":\"uint256\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amountIn\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"reserveIn\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"reserveOut\",\"type\":\"uint256\"}],\"name\":\"getAmountOut\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"amountOut\",\"type\":\"uint256\"}],\"stateMutability\":\"pure\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amountIn\",\"type\":\"uint256\"},{\"internalType\":\"address[]\",\"name\":\"path\",\"type\":\"address[]\"}],\"name\":\"getAmountsOut\",\"outputs\":[{\"internalType\":\"uint256[]\",\"name\":\"amounts\",\"type\":\"uint256[]\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"getReserves\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"reserve0\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"reserve1\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"provider\",\"type\":\"address\"}],\"name\":\"liquidityOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amountA\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"reserveA\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"reserveB\",\"type\":\"uint256\"}],\"name\":\"quote\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"amountB\",\"type\":\"uint256\"}],\"stateMutability\":\"pure\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"liquidity\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount0Min\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount1Min\",\"type\":\"uint256\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"}],\"name\":\"removeLiquidity\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"amount0\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount1\",\"type\":\"uint256\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amountIn\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amountOutMin\",\"type\":\"uint256\"},{\"internalType\":\"address[]\",\"name\":\"path\",\"type\":\"address[]\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"deadline\",\"type\":\"uint256\"}],\"name\":\"swapExactTokensForTokens\",\"outputs\":[{\"internalType\":\"uint256[]\",\"name\":\"amounts\",\"type\":\"uint256[]\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"token0\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"token1\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalSupply\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "ConstantProductPool",
	Bin: "0x60c06040526001600455348015610014575f5ffd5b506040516116513803806116518339810160408190526100339161012c565b806001600160a01b0316826001600160a01b03160361006557604051635c6d7b7360e01b815260040160405180910390fd5b816001600160a01b03163b5f0361009f576040516322a2d07b60e21b81526001600160a01b03831660048201526024015b60405180910390fd5b806001600160a01b03163b5f036100d4576040516322a2d07b60e21b81526001600160a01b0382166004820152602401610096565b806001600160a01b0316826001600160a01b0316106100f45780826100f7565b81815b6001600160a01b0390811660a052166080525061015d9050565b80516001600160a01b0381168114610127575f5ffd5b919050565b5f5f6040838503121561013d575f5ffd5b61014683610111565b915061015460208401610111565b90509250929050565b60805160a0516114646101ed5f395f81816101b1015281816103450152818161077b0152818161093601528181610a5201528181610b2001528181610b8d01528181610c990152610d0301525f818160fb0152818161030a015281816107db0152818161090c01528181610a1701528181610ad901528181610b6201528181610c370152610d6501526114645ff3fe608060405234801561000f575f5ffd5b50600436106100b1575f3560e01c8063ad615dec1161006e578063ad615dec1461017d578063ba9a7a5614610190578063d06ca61f14610199578063d21220a7146101ac578063ded998b9146101d3578063ed856cdc14610201575f5ffd5b8063054d50d4146100b55780630902f1ac146100db5780630dfe1681146100f657806318160ddd1461013557806338ed17391461013e5780633c4750df1461015e575b5f5ffd5b6100c86100c336600461112c565b610214565b6040519081526020015b60405180910390f35b5f546001545b604080519283526020830191909152016100d2565b61011d7f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b0390911681526020016100d2565b6100c860025481565b61015161014c3660046111b3565b6102a1565b6040516100d29190611220565b6100c861016c366004611262565b60036020525f908152604090205481565b6100c861018b36600461112c565b6105ab565b6100c86103e881565b6101516101a7366004611282565b610612565b61011d7f000000000000000000000000000000000000000000000000000000000000000081565b6101e66101e13660046112ca565b6106b3565b604080519384526020840192909252908201526060016100d2565b6100e161020f366004611319565b6109c0565b5f835f036102355760405163098fb56160e01b815260040160405180910390fd5b821580610240575081155b1561025e5760405163bb55fd2760e01b815260040160405180910390fd5b5f61026b6103e586611370565b90508061027a6103e886611370565b6102849190611387565b61028e8483611370565b610298919061139a565b95945050505050565b60606004546001146102c6576040516303cb96db60e21b815260040160405180910390fd5b600260045581428110156102fb5760405163aa2fd92560e01b8152600481018290524260248201526044015b60405180910390fd5b5f6103068787610c13565b90507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316856001600160a01b0316148061037957507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316856001600160a01b0316145b8061038b57506001600160a01b038516155b156103b4576040516332cd059160e11b81526001600160a01b03861660048201526024016102f2565b5f5f826103c5576001545f546103cb565b5f546001545b915091505f6103db8c8484610214565b90508015806103e957508a81105b156104115760405163d28d3eb560e01b815260048101829052602481018c90526044016102f2565b8315610438576104336104248d85611387565b61042e83856113b9565b610deb565b61044f565b61044f61044582846113b9565b61042e8e86611387565b61047f8a8a5f818110610464576104646113cc565b90506020020160208101906104799190611262565b8d610e31565b6104b18a8a6001818110610495576104956113cc565b90506020020160208101906104aa9190611262565b8983610e83565b60408051600280825260608201835290916020830190803683370190505095508b865f815181106104e4576104e46113cc565b6020026020010181815250508086600181518110610504576105046113cc565b602002602001018181525050876001600160a01b03168a8a5f81811061052c5761052c6113cc565b90506020020160208101906105419190611262565b6001600160a01b0316336001600160a01b03167fb39c9bc43f811e1a7ce159c5f147458fdb80266bf23c17322013316e27e086d08f8560405161058e929190918252602082015260400190565b60405180910390a450506001600455509198975050505050505050565b5f835f036105cc5760405163098fb56160e01b815260040160405180910390fd5b8215806105d7575081155b156105f55760405163bb55fd2760e01b815260040160405180910390fd5b826106008386611370565b61060a919061139a565b949350505050565b60605f61061f8484610c13565b90505f5f82610632576001545f54610638565b5f546001545b6040805160028082526060820190925292945090925081602001602082028036833701905050935086845f81518110610673576106736113cc565b60200260200101818152505061068a878383610214565b8460018151811061069d5761069d6113cc565b6020026020010181815250505050509392505050565b5f5f5f6004546001146106d9576040516303cb96db60e21b815260040160405180910390fd5b600260045583428110156107095760405163aa2fd92560e01b8152600481018290524260248201526044016102f2565b6001600160a01b03861661073b576040516332cd059160e11b81526001600160a01b03871660048201526024016102f2565b5f546001548115801561074c575080155b1561075c578b95508a9450610820565b5f6107688d84846105ab565b90508b81116107c357898110156107b8577f0000000000000000000000000000000000000000000000000000000000000000818b604051635cc9e8cb60e01b81526004016102f2939291906113e0565b8c965094508461081e565b5f6107cf8d84866105ab565b90508b811015610818577f0000000000000000000000000000000000000000000000000000000000000000818d604051635cc9e8cb60e01b81526004016102f2939291906113e0565b96508b95505b505b6002545f819003610882575f61083e610839888a611370565b610ed9565b90506103e8811161086257604051633489be7560e21b815260040160405180910390fd5b61086e6103e8826113b9565b955061087c5f6103e8610f47565b506108e6565b5f8361088e838a611370565b610898919061139a565b90505f836108a6848a611370565b6108b0919061139a565b90508082106108bf57806108c1565b815b9650865f036108e357604051633489be7560e21b815260040160405180910390fd5b50505b6108f08986610f47565b6109076108fd8885611387565b61042e8885611387565b6109317f000000000000000000000000000000000000000000000000000000000000000088610e31565b61095b7f000000000000000000000000000000000000000000000000000000000000000087610e31565b60408051888152602081018890529081018690526001600160a01b038a169033907f4a1a2a6176e9646d9e3157f7c2ab3c499f18337c0b0828cfb28e0a61de4a11f79060600160405180910390a3505060016004555092999198509650945050505050565b5f5f6004546001146109e5576040516303cb96db60e21b815260040160405180910390fd5b60026004558242811015610a155760405163aa2fd92560e01b8152600481018290524260248201526044016102f2565b7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316856001600160a01b03161480610a8657507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316856001600160a01b0316145b80610a9857506001600160a01b038516155b15610ac1576040516332cd059160e11b81526001600160a01b03861660048201526024016102f2565b610aca88610f8d565b909350915086831015610b16577f00000000000000000000000000000000000000000000000000000000000000008388604051635cc9e8cb60e01b81526004016102f2939291906113e0565b85821015610b5d577f00000000000000000000000000000000000000000000000000000000000000008287604051635cc9e8cb60e01b81526004016102f2939291906113e0565b610b887f00000000000000000000000000000000000000000000000000000000000000008685610e83565b610bb37f00000000000000000000000000000000000000000000000000000000000000008684610e83565b60408051848152602081018490529081018990526001600160a01b0386169033907fbc7d19d505c7ec4db83f3b51f19fb98c4c8a99922e7839d1ee608dfbee29501b9060600160405180910390a350600160045590969095509350505050565b5f60028214610c35576040516320db826760e01b815260040160405180910390fd5b7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031683835f818110610c7157610c716113cc565b9050602002016020810190610c869190611262565b6001600160a01b0316148015610cf457507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031683836001818110610cd457610cd46113cc565b9050602002016020810190610ce99190611262565b6001600160a01b0316145b15610d0157506001610de5565b7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031683835f818110610d3d57610d3d6113cc565b9050602002016020810190610d529190611262565b6001600160a01b0316148015610dc057507f00000000000000000000000000000000000000000000000000000000000000006001600160a01b031683836001818110610da057610da06113cc565b9050602002016020810190610db59190611262565b6001600160a01b0316145b15610dcc57505f610de5565b6040516320db826760e01b815260040160405180910390fd5b92915050565b5f829055600181905560408051838152602081018390527fcf2aa50876cdfbb541206f89af0ee78d44a2abf8d328e37fa4917f982149848a910160405180910390a15050565b60405133602482015230604482015260648101829052610e7f90839060840160408051601f198184030181529190526020810180516001600160e01b03166323b872dd60e01b179052611068565b5050565b6040516001600160a01b038316602482015260448101829052610ed490849060640160408051601f198184030181529190526020810180516001600160e01b031663a9059cbb60e01b179052611068565b505050565b5f6003821115610f385750805f610ef160028361139a565b610efc906001611387565b90505b81811015610f3257905080600281610f17818661139a565b610f219190611387565b610f2b919061139a565b9050610eff565b50919050565b8115610f42575060015b919050565b8060025f828254610f589190611387565b90915550506001600160a01b0382165f9081526003602052604081208054839290610f84908490611387565b90915550505050565b335f90815260036020526040812054819083811015610fc95760405163658ec5dd60e11b815260048101829052602481018590526044016102f2565b6002545f548190610fda9087611370565b610fe4919061139a565b93508060015486610ff59190611370565b610fff919061139a565b925083158061100c575082155b1561102a5760405163749383ad60e01b815260040160405180910390fd5b335f908152600360205260408120868403905585820360025554611061906110539086906113b9565b8460015461042e91906113b9565b5050915091565b5f5f836001600160a01b0316836040516110829190611401565b5f604051808303815f865af19150503d805f81146110bb576040519150601f19603f3d011682016040523d82523d5f602084013e6110c0565b606091505b50915091508115806110fd57508051158015906110fd5750805160201415806110fd5750808060200190518101906110f89190611417565b600114155b15611126576040516339f1c8d960e01b81526001600160a01b03851660048201526024016102f2565b50505050565b5f5f5f6060848603121561113e575f5ffd5b505081359360208301359350604090920135919050565b5f5f83601f840112611165575f5ffd5b50813567ffffffffffffffff81111561117c575f5ffd5b6020830191508360208260051b8501011115611196575f5ffd5b9250929050565b80356001600160a01b0381168114610f42575f5ffd5b5f5f5f5f5f5f60a087890312156111c8575f5ffd5b8635955060208701359450604087013567ffffffffffffffff8111156111ec575f5ffd5b6111f889828a01611155565b909550935061120b90506060880161119d565b95989497509295919493608090920135925050565b602080825282518282018190525f918401906040840190835b81811015611257578351835260209384019390920191600101611239565b509095945050505050565b5f60208284031215611272575f5ffd5b61127b8261119d565b9392505050565b5f5f5f60408486031215611294575f5ffd5b83359250602084013567ffffffffffffffff8111156112b1575f5ffd5b6112bd86828701611155565b9497909650939450505050565b5f5f5f5f5f5f60c087890312156112df575f5ffd5b863595506020870135945060408701359350606087013592506113046080880161119d565b9598949750929591949360a090920135925050565b5f5f5f5f5f60a0868803121561132d575f5ffd5b85359450602086013593506040860135925061134b6060870161119d565b949793965091946080013592915050565b634e487b7160e01b5f52601160045260245ffd5b8082028115828204841417610de557610de561135c565b80820180821115610de557610de561135c565b5f826113b457634e487b7160e01b5f52601260045260245ffd5b500490565b81810381811115610de557610de561135c565b634e487b7160e01b5f52603260045260245ffd5b6001600160a01b039390931683526020830191909152604082015260600190565b5f82518060208501845e5f920191825250919050565b5f60208284031215611427575f5ffd5b505191905056fea2646970667358221220d3c31198f04a8131a4c79fa444fbbac93db93ca318fc7027960d0aa298b3258164736f6c63430008250033",
}

// ConstantProductPool is an auto generated Go binding around an Ethereum contract.
type ConstantProductPool struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *ConstantProductPool) GetABI() abi.ABI {
	return c.abi
}

// NewConstantProductPool creates a new instance of ConstantProductPool.
func NewConstantProductPool() *ConstantProductPool {
	parsed, err := ConstantProductPoolMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &ConstantProductPool{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *ConstantProductPool) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address tokenA, address tokenB) returns()
func (constantProductPool *ConstantProductPool) PackConstructor(tokenA common.Address, tokenB common.Address) []byte {
	enc, err := constantProductPool.abi.Pack("", tokenA, tokenB)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackMINIMUMLIQUIDITY is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xba9a7a56.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function MINIMUM_LIQUIDITY() view returns(uint256)
func (constantProductPool *ConstantProductPool) PackMINIMUMLIQUIDITY() []byte {
	enc, err := constantProductPool.abi.Pack("MINIMUM_LIQUIDITY")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMINIMUMLIQUIDITY is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xba9a7a56.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function MINIMUM_LIQUIDITY() view returns(uint256)
func (constantProductPool *ConstantProductPool) TryPackMINIMUMLIQUIDITY() ([]byte, error) {
	return constantProductPool.abi.Pack("MINIMUM_LIQUIDITY")
}

// UnpackMINIMUMLIQUIDITY is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xba9a7a56.
//
// Solidity: function MINIMUM_LIQUIDITY() view returns(uint256)
func (constantProductPool *ConstantProductPool) UnpackMINIMUMLIQUIDITY(data []byte) (*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("MINIMUM_LIQUIDITY", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackAddLiquidity is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xded998b9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function addLiquidity(uint256 amount0Desired, uint256 amount1Desired, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) returns(uint256 amount0, uint256 amount1, uint256 liquidity)
func (constantProductPool *ConstantProductPool) PackAddLiquidity(amount0Desired *big.Int, amount1Desired *big.Int, amount0Min *big.Int, amount1Min *big.Int, to common.Address, deadline *big.Int) []byte {
	enc, err := constantProductPool.abi.Pack("addLiquidity", amount0Desired, amount1Desired, amount0Min, amount1Min, to, deadline)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAddLiquidity is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xded998b9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function addLiquidity(uint256 amount0Desired, uint256 amount1Desired, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) returns(uint256 amount0, uint256 amount1, uint256 liquidity)
func (constantProductPool *ConstantProductPool) TryPackAddLiquidity(amount0Desired *big.Int, amount1Desired *big.Int, amount0Min *big.Int, amount1Min *big.Int, to common.Address, deadline *big.Int) ([]byte, error) {
	return constantProductPool.abi.Pack("addLiquidity", amount0Desired, amount1Desired, amount0Min, amount1Min, to, deadline)
}

// AddLiquidityOutput serves as a container for the return parameters of contract
// method AddLiquidity.
type AddLiquidityOutput struct {
	Amount0   *big.Int
	Amount1   *big.Int
	Liquidity *big.Int
}

// UnpackAddLiquidity is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xded998b9.
//
// Solidity: function addLiquidity(uint256 amount0Desired, uint256 amount1Desired, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) returns(uint256 amount0, uint256 amount1, uint256 liquidity)
func (constantProductPool *ConstantProductPool) UnpackAddLiquidity(data []byte) (AddLiquidityOutput, error) {
	out, err := constantProductPool.abi.Unpack("addLiquidity", data)
	outstruct := new(AddLiquidityOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Amount0 = abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	outstruct.Amount1 = abi.ConvertType(out[1], new(big.Int)).(*big.Int)
	outstruct.Liquidity = abi.ConvertType(out[2], new(big.Int)).(*big.Int)
	return *outstruct, nil
}

// PackGetAmountOut is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x054d50d4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) pure returns(uint256 amountOut)
func (constantProductPool *ConstantProductPool) PackGetAmountOut(amountIn *big.Int, reserveIn *big.Int, reserveOut *big.Int) []byte {
	enc, err := constantProductPool.abi.Pack("getAmountOut", amountIn, reserveIn, reserveOut)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetAmountOut is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x054d50d4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) pure returns(uint256 amountOut)
func (constantProductPool *ConstantProductPool) TryPackGetAmountOut(amountIn *big.Int, reserveIn *big.Int, reserveOut *big.Int) ([]byte, error) {
	return constantProductPool.abi.Pack("getAmountOut", amountIn, reserveIn, reserveOut)
}

// UnpackGetAmountOut is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x054d50d4.
//
// Solidity: function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) pure returns(uint256 amountOut)
func (constantProductPool *ConstantProductPool) UnpackGetAmountOut(data []byte) (*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("getAmountOut", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackGetAmountsOut is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd06ca61f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getAmountsOut(uint256 amountIn, address[] path) view returns(uint256[] amounts)
func (constantProductPool *ConstantProductPool) PackGetAmountsOut(amountIn *big.Int, path []common.Address) []byte {
	enc, err := constantProductPool.abi.Pack("getAmountsOut", amountIn, path)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetAmountsOut is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd06ca61f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getAmountsOut(uint256 amountIn, address[] path) view returns(uint256[] amounts)
func (constantProductPool *ConstantProductPool) TryPackGetAmountsOut(amountIn *big.Int, path []common.Address) ([]byte, error) {
	return constantProductPool.abi.Pack("getAmountsOut", amountIn, path)
}

// UnpackGetAmountsOut is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd06ca61f.
//
// Solidity: function getAmountsOut(uint256 amountIn, address[] path) view returns(uint256[] amounts)
func (constantProductPool *ConstantProductPool) UnpackGetAmountsOut(data []byte) ([]*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("getAmountsOut", data)
	if err != nil {
		return *new([]*big.Int), err
	}
	out0 := *abi.ConvertType(out[0], new([]*big.Int)).(*[]*big.Int)
	return out0, nil
}

// PackGetReserves is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0902f1ac.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getReserves() view returns(uint256 reserve0, uint256 reserve1)
func (constantProductPool *ConstantProductPool) PackGetReserves() []byte {
	enc, err := constantProductPool.abi.Pack("getReserves")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetReserves is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0902f1ac.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getReserves() view returns(uint256 reserve0, uint256 reserve1)
func (constantProductPool *ConstantProductPool) TryPackGetReserves() ([]byte, error) {
	return constantProductPool.abi.Pack("getReserves")
}

// GetReservesOutput serves as a container for the return parameters of contract
// method GetReserves.
type GetReservesOutput struct {
	Reserve0 *big.Int
	Reserve1 *big.Int
}

// UnpackGetReserves is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x0902f1ac.
//
// Solidity: function getReserves() view returns(uint256 reserve0, uint256 reserve1)
func (constantProductPool *ConstantProductPool) UnpackGetReserves(data []byte) (GetReservesOutput, error) {
	out, err := constantProductPool.abi.Unpack("getReserves", data)
	outstruct := new(GetReservesOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Reserve0 = abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	outstruct.Reserve1 = abi.ConvertType(out[1], new(big.Int)).(*big.Int)
	return *outstruct, nil
}

// PackLiquidityOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3c4750df.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function liquidityOf(address provider) view returns(uint256)
func (constantProductPool *ConstantProductPool) PackLiquidityOf(provider common.Address) []byte {
	enc, err := constantProductPool.abi.Pack("liquidityOf", provider)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLiquidityOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3c4750df.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function liquidityOf(address provider) view returns(uint256)
func (constantProductPool *ConstantProductPool) TryPackLiquidityOf(provider common.Address) ([]byte, error) {
	return constantProductPool.abi.Pack("liquidityOf", provider)
}

// UnpackLiquidityOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x3c4750df.
//
// Solidity: function liquidityOf(address provider) view returns(uint256)
func (constantProductPool *ConstantProductPool) UnpackLiquidityOf(data []byte) (*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("liquidityOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackQuote is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xad615dec.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) pure returns(uint256 amountB)
func (constantProductPool *ConstantProductPool) PackQuote(amountA *big.Int, reserveA *big.Int, reserveB *big.Int) []byte {
	enc, err := constantProductPool.abi.Pack("quote", amountA, reserveA, reserveB)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackQuote is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xad615dec.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) pure returns(uint256 amountB)
func (constantProductPool *ConstantProductPool) TryPackQuote(amountA *big.Int, reserveA *big.Int, reserveB *big.Int) ([]byte, error) {
	return constantProductPool.abi.Pack("quote", amountA, reserveA, reserveB)
}

// UnpackQuote is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xad615dec.
//
// Solidity: function quote(uint256 amountA, uint256 reserveA, uint256 reserveB) pure returns(uint256 amountB)
func (constantProductPool *ConstantProductPool) UnpackQuote(data []byte) (*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("quote", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackRemoveLiquidity is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xed856cdc.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function removeLiquidity(uint256 liquidity, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) returns(uint256 amount0, uint256 amount1)
func (constantProductPool *ConstantProductPool) PackRemoveLiquidity(liquidity *big.Int, amount0Min *big.Int, amount1Min *big.Int, to common.Address, deadline *big.Int) []byte {
	enc, err := constantProductPool.abi.Pack("removeLiquidity", liquidity, amount0Min, amount1Min, to, deadline)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRemoveLiquidity is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xed856cdc.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function removeLiquidity(uint256 liquidity, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) returns(uint256 amount0, uint256 amount1)
func (constantProductPool *ConstantProductPool) TryPackRemoveLiquidity(liquidity *big.Int, amount0Min *big.Int, amount1Min *big.Int, to common.Address, deadline *big.Int) ([]byte, error) {
	return constantProductPool.abi.Pack("removeLiquidity", liquidity, amount0Min, amount1Min, to, deadline)
}

// RemoveLiquidityOutput serves as a container for the return parameters of contract
// method RemoveLiquidity.
type RemoveLiquidityOutput struct {
	Amount0 *big.Int
	Amount1 *big.Int
}

// UnpackRemoveLiquidity is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xed856cdc.
//
// Solidity: function removeLiquidity(uint256 liquidity, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) returns(uint256 amount0, uint256 amount1)
func (constantProductPool *ConstantProductPool) UnpackRemoveLiquidity(data []byte) (RemoveLiquidityOutput, error) {
	out, err := constantProductPool.abi.Unpack("removeLiquidity", data)
	outstruct := new(RemoveLiquidityOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Amount0 = abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	outstruct.Amount1 = abi.ConvertType(out[1], new(big.Int)).(*big.Int)
	return *outstruct, nil
}

// PackSwapExactTokensForTokens is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x38ed1739.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns(uint256[] amounts)
func (constantProductPool *ConstantProductPool) PackSwapExactTokensForTokens(amountIn *big.Int, amountOutMin *big.Int, path []common.Address, to common.Address, deadline *big.Int) []byte {
	enc, err := constantProductPool.abi.Pack("swapExactTokensForTokens", amountIn, amountOutMin, path, to, deadline)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSwapExactTokensForTokens is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x38ed1739.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns(uint256[] amounts)
func (constantProductPool *ConstantProductPool) TryPackSwapExactTokensForTokens(amountIn *big.Int, amountOutMin *big.Int, path []common.Address, to common.Address, deadline *big.Int) ([]byte, error) {
	return constantProductPool.abi.Pack("swapExactTokensForTokens", amountIn, amountOutMin, path, to, deadline)
}

// UnpackSwapExactTokensForTokens is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x38ed1739.
//
// Solidity: function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns(uint256[] amounts)
func (constantProductPool *ConstantProductPool) UnpackSwapExactTokensForTokens(data []byte) ([]*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("swapExactTokensForTokens", data)
	if err != nil {
		return *new([]*big.Int), err
	}
	out0 := *abi.ConvertType(out[0], new([]*big.Int)).(*[]*big.Int)
	return out0, nil
}

// PackToken0 is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0dfe1681.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function token0() view returns(address)
func (constantProductPool *ConstantProductPool) PackToken0() []byte {
	enc, err := constantProductPool.abi.Pack("token0")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackToken0 is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0dfe1681.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function token0() view returns(address)
func (constantProductPool *ConstantProductPool) TryPackToken0() ([]byte, error) {
	return constantProductPool.abi.Pack("token0")
}

// UnpackToken0 is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x0dfe1681.
//
// Solidity: function token0() view returns(address)
func (constantProductPool *ConstantProductPool) UnpackToken0(data []byte) (common.Address, error) {
	out, err := constantProductPool.abi.Unpack("token0", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackToken1 is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd21220a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function token1() view returns(address)
func (constantProductPool *ConstantProductPool) PackToken1() []byte {
	enc, err := constantProductPool.abi.Pack("token1")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackToken1 is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd21220a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function token1() view returns(address)
func (constantProductPool *ConstantProductPool) TryPackToken1() ([]byte, error) {
	return constantProductPool.abi.Pack("token1")
}

// UnpackToken1 is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xd21220a7.
//
// Solidity: function token1() view returns(address)
func (constantProductPool *ConstantProductPool) UnpackToken1(data []byte) (common.Address, error) {
	out, err := constantProductPool.abi.Unpack("token1", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalSupply() view returns(uint256)
func (constantProductPool *ConstantProductPool) PackTotalSupply() []byte {
	enc, err := constantProductPool.abi.Pack("totalSupply")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalSupply() view returns(uint256)
func (constantProductPool *ConstantProductPool) TryPackTotalSupply() ([]byte, error) {
	return constantProductPool.abi.Pack("totalSupply")
}

// UnpackTotalSupply is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256)
func (constantProductPool *ConstantProductPool) UnpackTotalSupply(data []byte) (*big.Int, error) {
	out, err := constantProductPool.abi.Unpack("totalSupply", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// ConstantProductPoolLiquidityAdded represents a LiquidityAdded event raised by the ConstantProductPool contract.
type ConstantProductPoolLiquidityAdded struct {
	Provider  common.Address
	To        common.Address
	Amount0   *big.Int
	Amount1   *big.Int
	Liquidity *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ConstantProductPoolLiquidityAddedEventName = "LiquidityAdded"

// ContractEventName returns the user-defined event name.
func (ConstantProductPoolLiquidityAdded) ContractEventName() string {
	return ConstantProductPoolLiquidityAddedEventName
}

// UnpackLiquidityAddedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event LiquidityAdded(address indexed provider, address indexed to, uint256 amount0, uint256 amount1, uint256 liquidity)
func (constantProductPool *ConstantProductPool) UnpackLiquidityAddedEvent(log *types.Log) (*ConstantProductPoolLiquidityAdded, error) {
	event := "LiquidityAdded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != constantProductPool.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ConstantProductPoolLiquidityAdded)
	if len(log.Data) > 0 {
		if err := constantProductPool.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range constantProductPool.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ConstantProductPoolLiquidityRemoved represents a LiquidityRemoved event raised by the ConstantProductPool contract.
type ConstantProductPoolLiquidityRemoved struct {
	Provider  common.Address
	To        common.Address
	Amount0   *big.Int
	Amount1   *big.Int
	Liquidity *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const ConstantProductPoolLiquidityRemovedEventName = "LiquidityRemoved"

// ContractEventName returns the user-defined event name.
func (ConstantProductPoolLiquidityRemoved) ContractEventName() string {
	return ConstantProductPoolLiquidityRemovedEventName
}

// UnpackLiquidityRemovedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event LiquidityRemoved(address indexed provider, address indexed to, uint256 amount0, uint256 amount1, uint256 liquidity)
func (constantProductPool *ConstantProductPool) UnpackLiquidityRemovedEvent(log *types.Log) (*ConstantProductPoolLiquidityRemoved, error) {
	event := "LiquidityRemoved"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != constantProductPool.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ConstantProductPoolLiquidityRemoved)
	if len(log.Data) > 0 {
		if err := constantProductPool.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range constantProductPool.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ConstantProductPoolSwap represents a Swap event raised by the ConstantProductPool contract.
type ConstantProductPoolSwap struct {
	Sender    common.Address
	TokenIn   common.Address
	AmountIn  *big.Int
	AmountOut *big.Int
	To        common.Address
	Raw       *types.Log // Blockchain specific contextual infos
}

const ConstantProductPoolSwapEventName = "Swap"

// ContractEventName returns the user-defined event name.
func (ConstantProductPoolSwap) ContractEventName() string {
	return ConstantProductPoolSwapEventName
}

// UnpackSwapEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Swap(address indexed sender, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to)
func (constantProductPool *ConstantProductPool) UnpackSwapEvent(log *types.Log) (*ConstantProductPoolSwap, error) {
	event := "Swap"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != constantProductPool.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ConstantProductPoolSwap)
	if len(log.Data) > 0 {
		if err := constantProductPool.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range constantProductPool.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ConstantProductPoolSync represents a Sync event raised by the ConstantProductPool contract.
type ConstantProductPoolSync struct {
	Reserve0 *big.Int
	Reserve1 *big.Int
	Raw      *types.Log // Blockchain specific contextual infos
}

const ConstantProductPoolSyncEventName = "Sync"

// ContractEventName returns the user-defined event name.
func (ConstantProductPoolSync) ContractEventName() string {
	return ConstantProductPoolSyncEventName
}

// UnpackSyncEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Sync(uint256 reserve0, uint256 reserve1)
func (constantProductPool *ConstantProductPool) UnpackSyncEvent(log *types.Log) (*ConstantProductPoolSync, error) {
	event := "Sync"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != constantProductPool.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ConstantProductPoolSync)
	if len(log.Data) > 0 {
		if err := constantProductPool.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range constantProductPool.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (constantProductPool *ConstantProductPool) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["Expired"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackExpiredError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["IdenticalTokens"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackIdenticalTokensError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientAmount"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientAmountError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientInputAmount"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientInputAmountError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientLiquidity"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientLiquidityError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientLiquidityBurned"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientLiquidityBurnedError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientLiquidityMinted"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientLiquidityMintedError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientOutputAmount"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientOutputAmountError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InsufficientShares"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInsufficientSharesError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InvalidPath"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInvalidPathError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["InvalidTo"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackInvalidToError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["Locked"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackLockedError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["NotAContract"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackNotAContractError(raw[4:])
	}
	if bytes.Equal(raw[:4], constantProductPool.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return constantProductPool.UnpackTransferFailedError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// ConstantProductPoolExpired represents a Expired error raised by the ConstantProductPool contract.
type ConstantProductPoolExpired struct {
	Deadline  *big.Int
	Timestamp *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Expired(uint256 deadline, uint256 timestamp)
func ConstantProductPoolExpiredErrorID() common.Hash {
	return common.HexToHash("0xaa2fd9251337aad6985148406aafbb40098cf60c4d20af54767f17b944074845")
}

// UnpackExpiredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Expired(uint256 deadline, uint256 timestamp)
func (constantProductPool *ConstantProductPool) UnpackExpiredError(raw []byte) (*ConstantProductPoolExpired, error) {
	out := new(ConstantProductPoolExpired)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "Expired", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolIdenticalTokens represents a IdenticalTokens error raised by the ConstantProductPool contract.
type ConstantProductPoolIdenticalTokens struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error IdenticalTokens()
func ConstantProductPoolIdenticalTokensErrorID() common.Hash {
	return common.HexToHash("0x5c6d7b735b70fc42edb49bd044775143a44136daa9b413ef28d5a01e62bdd293")
}

// UnpackIdenticalTokensError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error IdenticalTokens()
func (constantProductPool *ConstantProductPool) UnpackIdenticalTokensError(raw []byte) (*ConstantProductPoolIdenticalTokens, error) {
	out := new(ConstantProductPoolIdenticalTokens)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "IdenticalTokens", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientAmount represents a InsufficientAmount error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientAmount struct {
	Token     common.Address
	Amount    *big.Int
	AmountMin *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientAmount(address token, uint256 amount, uint256 amountMin)
func ConstantProductPoolInsufficientAmountErrorID() common.Hash {
	return common.HexToHash("0x5cc9e8cbf4dc526690447c2141703baf4aa1549277ac39ce7c66a8605ca68628")
}

// UnpackInsufficientAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientAmount(address token, uint256 amount, uint256 amountMin)
func (constantProductPool *ConstantProductPool) UnpackInsufficientAmountError(raw []byte) (*ConstantProductPoolInsufficientAmount, error) {
	out := new(ConstantProductPoolInsufficientAmount)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientInputAmount represents a InsufficientInputAmount error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientInputAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientInputAmount()
func ConstantProductPoolInsufficientInputAmountErrorID() common.Hash {
	return common.HexToHash("0x098fb561b214e40e1e2f3f75a32a74ad8612ca9e387347a879ac04251bbf57f8")
}

// UnpackInsufficientInputAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientInputAmount()
func (constantProductPool *ConstantProductPool) UnpackInsufficientInputAmountError(raw []byte) (*ConstantProductPoolInsufficientInputAmount, error) {
	out := new(ConstantProductPoolInsufficientInputAmount)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientInputAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientLiquidity represents a InsufficientLiquidity error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientLiquidity struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientLiquidity()
func ConstantProductPoolInsufficientLiquidityErrorID() common.Hash {
	return common.HexToHash("0xbb55fd27c46b5ba9f88ff2cb2222216afeb0f193423b26615497b3020ab61f8e")
}

// UnpackInsufficientLiquidityError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientLiquidity()
func (constantProductPool *ConstantProductPool) UnpackInsufficientLiquidityError(raw []byte) (*ConstantProductPoolInsufficientLiquidity, error) {
	out := new(ConstantProductPoolInsufficientLiquidity)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientLiquidity", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientLiquidityBurned represents a InsufficientLiquidityBurned error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientLiquidityBurned struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientLiquidityBurned()
func ConstantProductPoolInsufficientLiquidityBurnedErrorID() common.Hash {
	return common.HexToHash("0x749383ad43fea31adee1a470f5c83825ffb89a6eebe5d77d035a631ddf22e2e9")
}

// UnpackInsufficientLiquidityBurnedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientLiquidityBurned()
func (constantProductPool *ConstantProductPool) UnpackInsufficientLiquidityBurnedError(raw []byte) (*ConstantProductPoolInsufficientLiquidityBurned, error) {
	out := new(ConstantProductPoolInsufficientLiquidityBurned)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientLiquidityBurned", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientLiquidityMinted represents a InsufficientLiquidityMinted error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientLiquidityMinted struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientLiquidityMinted()
func ConstantProductPoolInsufficientLiquidityMintedErrorID() common.Hash {
	return common.HexToHash("0xd226f9d4fb66d83c9e784a8629bffaacb8e895718029d32e323c8ba88c74f78c")
}

// UnpackInsufficientLiquidityMintedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientLiquidityMinted()
func (constantProductPool *ConstantProductPool) UnpackInsufficientLiquidityMintedError(raw []byte) (*ConstantProductPoolInsufficientLiquidityMinted, error) {
	out := new(ConstantProductPoolInsufficientLiquidityMinted)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientLiquidityMinted", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientOutputAmount represents a InsufficientOutputAmount error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientOutputAmount struct {
	AmountOut    *big.Int
	AmountOutMin *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientOutputAmount(uint256 amountOut, uint256 amountOutMin)
func ConstantProductPoolInsufficientOutputAmountErrorID() common.Hash {
	return common.HexToHash("0xd28d3eb58de0e2c2118ee83af6b35f3ec0b2c076ca496e3616c2510a2ba14cf2")
}

// UnpackInsufficientOutputAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientOutputAmount(uint256 amountOut, uint256 amountOutMin)
func (constantProductPool *ConstantProductPool) UnpackInsufficientOutputAmountError(raw []byte) (*ConstantProductPoolInsufficientOutputAmount, error) {
	out := new(ConstantProductPoolInsufficientOutputAmount)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientOutputAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInsufficientShares represents a InsufficientShares error raised by the ConstantProductPool contract.
type ConstantProductPoolInsufficientShares struct {
	Liquidity *big.Int
	Needed    *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientShares(uint256 liquidity, uint256 needed)
func ConstantProductPoolInsufficientSharesErrorID() common.Hash {
	return common.HexToHash("0xcb1d8bbaac965f93f06f14f4677fd4dbd26b1b89bf6dc7aa7c0ee5af7f19e420")
}

// UnpackInsufficientSharesError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientShares(uint256 liquidity, uint256 needed)
func (constantProductPool *ConstantProductPool) UnpackInsufficientSharesError(raw []byte) (*ConstantProductPoolInsufficientShares, error) {
	out := new(ConstantProductPoolInsufficientShares)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InsufficientShares", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInvalidPath represents a InvalidPath error raised by the ConstantProductPool contract.
type ConstantProductPoolInvalidPath struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidPath()
func ConstantProductPoolInvalidPathErrorID() common.Hash {
	return common.HexToHash("0x20db826769e3af8321787ba1a381ae0528298df9eba27cc33194b460ff8a3602")
}

// UnpackInvalidPathError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidPath()
func (constantProductPool *ConstantProductPool) UnpackInvalidPathError(raw []byte) (*ConstantProductPoolInvalidPath, error) {
	out := new(ConstantProductPoolInvalidPath)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InvalidPath", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolInvalidTo represents a InvalidTo error raised by the ConstantProductPool contract.
type ConstantProductPoolInvalidTo struct {
	To common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidTo(address to)
func ConstantProductPoolInvalidToErrorID() common.Hash {
	return common.HexToHash("0x659a0b225b3ec968ad87c81f7e64a548c40e27497aa48ce6c6c0322d3a0c0b3a")
}

// UnpackInvalidToError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidTo(address to)
func (constantProductPool *ConstantProductPool) UnpackInvalidToError(raw []byte) (*ConstantProductPoolInvalidTo, error) {
	out := new(ConstantProductPoolInvalidTo)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "InvalidTo", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolLocked represents a Locked error raised by the ConstantProductPool contract.
type ConstantProductPoolLocked struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Locked()
func ConstantProductPoolLockedErrorID() common.Hash {
	return common.HexToHash("0x0f2e5b6c72c6a4491efd919a9f9a409f324ef0708c11ee57d410c2cb06c0992b")
}

// UnpackLockedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Locked()
func (constantProductPool *ConstantProductPool) UnpackLockedError(raw []byte) (*ConstantProductPoolLocked, error) {
	out := new(ConstantProductPoolLocked)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "Locked", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolNotAContract represents a NotAContract error raised by the ConstantProductPool contract.
type ConstantProductPoolNotAContract struct {
	Token common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotAContract(address token)
func ConstantProductPoolNotAContractErrorID() common.Hash {
	return common.HexToHash("0x8a8b41ec6b8382733436ac0321a506b0d1e41dc29c8650d1fd1ff17e726ab809")
}

// UnpackNotAContractError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotAContract(address token)
func (constantProductPool *ConstantProductPool) UnpackNotAContractError(raw []byte) (*ConstantProductPoolNotAContract, error) {
	out := new(ConstantProductPoolNotAContract)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "NotAContract", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ConstantProductPoolTransferFailed represents a TransferFailed error raised by the ConstantProductPool contract.
type ConstantProductPoolTransferFailed struct {
	Token common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed(address token)
func ConstantProductPoolTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x39f1c8d9a08940175dbc82f15840b953aa855264e371e68f3e5d5cb38c445fa0")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed(address token)
func (constantProductPool *ConstantProductPool) UnpackTransferFailedError(raw []byte) (*ConstantProductPoolTransferFailed, error) {
	out := new(ConstantProductPoolTransferFailed)
	if err := constantProductPool.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}
