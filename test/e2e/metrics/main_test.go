// Package metrics proves end to end that edgewatcher-syncer fixes `kubectl logs` and `kubectl top node` for edge
// nodes. A "control-plane host" network namespace runs real etcd, kube-apiserver, metrics-server and
// edgewatcher-syncer; two further namespaces stand in for cloudcore's stream server. The edge nodes' InternalIPs
// are routed into a silent link, as on a real cloud host, so only the syncer's DNAT makes them reachable. The
// host's own iptables are never touched (TestMain checks that no trace of the syncer appears there).
package metrics

import (
	"fmt"
	"os"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var syncerBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := prerequisites(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "e2e/metrics: CI is set and this is required: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e/metrics: SKIPPING the logs and metrics end-to-end test: %v (set CI=1 to make this a failure)\n", err)
		return 0
	}
	before, err := framework.HostForwardingTrace()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/metrics: reading the host's nat table and ipsets: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "edgewatcher-metrics-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/metrics: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if syncerBin, err = framework.SyncerBinary(dir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/metrics: %v\n", err)
		return 1
	}
	code := m.Run()
	after, err := framework.HostForwardingTrace()
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "e2e/metrics: reading the host's nat table and ipsets: %v\n", err)
		code = 1
	case after != before:
		fmt.Fprintf(os.Stderr, "e2e/metrics: the host's own namespace changed:\nbefore: %q\nafter:  %q\n", before, after)
		code = 1
	}
	return code
}

// prerequisites reports why the test cannot run here: missing binaries, not root, or missing kernel tools.
func prerequisites() error {
	if err := framework.CheckBinaries(); err != nil {
		return err
	}
	if _, err := framework.BinPath("metrics-server"); err != nil {
		return err
	}
	return framework.CheckNetnsTools()
}
