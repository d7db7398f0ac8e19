package contracts

// OsakaConfig is the tests' simulated L1 and L2 chain config (every fork
// through Osaka), for the external test package.
var OsakaConfig = osakaConfig
