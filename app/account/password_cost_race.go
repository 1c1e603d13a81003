//go:build race

package account

// Under the race detector every memory access of argon2's 19 MiB fill is
// instrumented, which made a sign-in cost seconds and the login tests
// minutes. Race builds are test builds only, so they hash with a small
// memory cost; CheckPassword reads the cost from each hash, and release
// builds (password_cost.go) keep the ASVS floor.
const (
	argonTime    = 1
	argonMemory  = 64
	argonThreads = 1
)
