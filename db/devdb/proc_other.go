//go:build unix && !linux

package devdb

import "syscall"

// sysProcAttr returns the process attributes for initdb and postgres: their
// own process group and, when cred is not nil, the unprivileged user to run
// as. There is no parent-death signal outside Linux, so the server outlives a
// crashed parent here; the next Start reports it as "already in use".
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setpgid:    true,
		Credential: cred,
	}
}
