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

package faults

import (
	"bufio"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// syncerProc is a running edgewatcher-syncer.
type syncerProc struct {
	proc *framework.Process
	// addr serves /metrics, /healthz and /readyz.
	addr string
}

// startSyncer builds (or takes $EDGEWATCHER_SYNCER_BIN) and starts edgewatcher-syncer as admin, programming only
// ns (IPv4, iptables-nft), with a one-second resync period, and waits until /readyz is 200. The syncer runs in the
// host's namespace, where kube-apiserver listens, and confines its iptables and ipset commands to ns.
func startSyncer(t *testing.T, ns *netns.Namespace, hostIP, defaultTarget string) *syncerProc {
	t.Helper()
	dir := t.TempDir()
	bin, err := framework.SyncerBinary(dir)
	if err != nil {
		t.Fatal(err)
	}
	port, err := framework.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &syncerProc{addr: "127.0.0.1:" + strconv.Itoa(port)}
	s.proc, err = framework.StartProcess("edgewatcher-syncer", filepath.Join(dir, "edgewatcher-syncer.log"), bin,
		"--kubeconfig="+cp.AdminKubeconfig, "--netns="+ns.Name, "--node-name=faults-host", "--host-addresses="+hostIP,
		"--default-target="+defaultTarget, "--iptables-backend=nft", "--ip-families=ipv4", "--resync-period=1s",
		"--metrics-bind-address="+s.addr, "--healthz-bind-address="+s.addr, "-v=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.proc.Stop(10 * time.Second)
		if t.Failed() {
			t.Logf("----- edgewatcher-syncer log tail -----\n%s", s.proc.LogTail(60))
		}
	})
	poll(t, time.Now(), "edgewatcher-syncer /readyz", func() string {
		if s.proc.Exited() {
			t.Fatalf("edgewatcher-syncer exited: %v\n%s", s.proc.ExitError(), s.proc.LogTail(40))
		}
		if code, body := s.get("/readyz"); code != http.StatusOK {
			return fmt.Sprintf("%d %s", code, body)
		}
		return ""
	})
	return s
}

// get fetches a path of the metrics and health server and returns the status (0 when unreachable) and body.
func (s *syncerProc) get(path string) (int, string) {
	o := do(http.DefaultClient, http.MethodGet, "http://"+s.addr+path, nil)
	if o.err != nil {
		return 0, o.err.Error()
	}
	return o.code, string(o.body)
}

// metric returns the value of one series of /metrics, such as edgewatcher_syncer_heartbeat_errors_total, or -1
// when it is not there.
func (s *syncerProc) metric(series string) float64 {
	_, body := s.get("/metrics")
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if ok && name == series {
			if v, err := strconv.ParseFloat(value, 64); err == nil {
				return v
			}
		}
	}
	return -1
}
