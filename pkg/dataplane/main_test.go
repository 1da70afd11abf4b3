package dataplane

import (
	"os"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// TestMain gives iptables-legacy a private lock file, so these tests never take the host's xtables lock.
func TestMain(m *testing.M) { os.Exit(netns.RunWithPrivateXtablesLock(m)) }
