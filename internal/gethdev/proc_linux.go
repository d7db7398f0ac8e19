package gethdev

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill geth when the process that started it
// dies without closing it (a test binary killed by its timeout, say).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
