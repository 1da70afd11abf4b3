// Package cloudcore_test runs EdgeWatcher against real cloudcore, built from the KubeEdge release sources by
// `make kubeedge-cloudcore`, on the objects cloudcore itself writes.
//
// A "control-plane host" network namespace runs real etcd, kube-apiserver, edgewatcher-apiserver and
// edgewatcher-syncer; two further namespaces each run a real cloudcore with cloudStream enabled. The cloudcores
// create kubeedge/casecret, kubeedge/tokensecret and the multi-cloudcore kubeedge/tunnelport record; the tests
// check that EdgeWatcher's join tokens get edge certificates from them, and that kube-apiserver's requests for an
// edge node reach the stream server of the cloudcore owning the node's tunnel port, through the syncer's DNAT
// only. The edge InternalIPs are routed into a silent link, so nothing else could answer. The host's own
// iptables are never touched (TestMain checks that no trace of the syncer appears there).
package cloudcore_test

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
			fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: CI is set and this is required: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: SKIPPING the real-cloudcore tests: %v (set CI=1 to make this a failure)\n", err)
		return 0
	}
	before, err := framework.HostForwardingTrace()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: reading the host's nat table and ipsets: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "edgewatcher-cloudcore-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if syncerBin, err = framework.SyncerBinary(dir); err != nil {
		fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: %v\n", err)
		return 1
	}
	code := m.Run()
	after, err := framework.HostForwardingTrace()
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: reading the host's nat table and ipsets: %v\n", err)
		code = 1
	case after != before:
		fmt.Fprintf(os.Stderr, "kubeedge/cloudcore: the host's own namespace changed:\nbefore: %q\nafter:  %q\n", before, after)
		code = 1
	}
	return code
}

// prerequisites reports why the tests cannot run here: missing binaries, not root, or missing kernel tools.
func prerequisites() error {
	if err := framework.CheckBinaries(); err != nil {
		return err
	}
	if _, err := framework.KubeEdgeBinPath(framework.KubeEdgeCoreTag, "cloudcore"); err != nil {
		return err
	}
	if _, err := framework.KubeEdgeCRDDir(framework.KubeEdgeCoreTag); err != nil {
		return err
	}
	return framework.CheckNetnsTools()
}
