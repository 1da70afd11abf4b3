// Package metrics proves end to end that edgewatcher-syncer fixes `kubectl logs` and `kubectl top node` for edge
// nodes. A "control-plane host" network namespace runs real etcd, kube-apiserver, metrics-server and
// edgewatcher-syncer; two further namespaces stand in for cloudcore's stream server. The edge nodes' InternalIPs
// are routed into a silent link, as on a real cloud host, so only the syncer's DNAT makes them reachable. The
// host's own iptables are never touched (TestMain checks that no trace of the syncer appears there).
package metrics

import (
	"os"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var syncerBin string

func TestMain(m *testing.M) {
	os.Exit(framework.NetnsPackage{
		Name: "e2e/metrics",
		What: "the logs and metrics end-to-end test",
		Prerequisites: func() error {
			_, err := framework.BinPath("metrics-server")
			return err
		},
	}.Run(m, &syncerBin))
}
