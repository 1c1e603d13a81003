package devdb

import "syscall"

// sysProcAttr returns the process attributes for initdb and postgres: their
// own process group (so a terminal's Ctrl-C reaches only our process, which
// then stops the server in order), SIGTERM when our process dies (no orphaned
// servers), and, when cred is not nil, the unprivileged user to run as.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setpgid:    true,
		Pdeathsig:  syscall.SIGTERM,
		Credential: cred,
	}
}
