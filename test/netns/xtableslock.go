package netns

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// XtablesLockEnv names the lock file iptables-legacy takes instead of the host's /run/xtables.lock.
const XtablesLockEnv = "XTABLES_LOCKFILE"

// RunWithPrivateXtablesLock runs m with XTABLES_LOCKFILE pointing at a fresh temporary file, unless it is set
// already, so that iptables-legacy commands in the tests' namespaces never take, nor wait for, the host's lock.
// Use it from TestMain: os.Exit(netns.RunWithPrivateXtablesLock(m)).
func RunWithPrivateXtablesLock(m *testing.M) int {
	if _, set := os.LookupEnv(XtablesLockEnv); set {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "edgewatcher-xtables-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "private xtables lock: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := os.Setenv(XtablesLockEnv, filepath.Join(dir, "xtables.lock")); err != nil {
		fmt.Fprintf(os.Stderr, "private xtables lock: %v\n", err)
		return 1
	}
	return m.Run()
}
