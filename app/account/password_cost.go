//go:build !race

package account

// Argon2id cost: at the OWASP ASVS appendix C floor for t=2 (m ≥ 19 MiB, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
)
