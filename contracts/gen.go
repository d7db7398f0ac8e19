package contracts

// Rebuild the artifacts and the bindings from src/ (see build.sh).
//go:generate bash build.sh
