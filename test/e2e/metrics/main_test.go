/*
Copyright The EdgeWatcher Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

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
