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

package keadm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// How TestJoinWritesEdgeCoreConfig lets the real `keadm join` write edgecore.yaml without touching the host.
//
// keadm has no dry run and no phase that only writes the configuration (kubeedge/kubeedge@v1.23.1:
// keadm/cmd/keadm/app/cmd/edge/join.go and join_others.go; v1.19.2 the same; v1.12.7 edge/join.go). Before the
// file it checks that no edgecore runs and /etc/kubeedge is empty, asks cloudcore's HTTPS port whether the node
// exists (v1.20 and later), creates /etc/kubeedge, /var/lib/kubeedge and /var/log/kubeedge, pulls
// kubeedge/installation-package through the CRI endpoint and copies edgecore out of it in a container, and
// writes /etc/systemd/system/edgecore.service. Right after the file it starts edgecore (`sudo systemctl ...`
// when `file /sbin/init` succeeds, else the binary in the background) and waits up to 300 s for certificates.
//
// So keadm runs in private mount and PID namespaces (unshare; keadm refuses to join while `pidof edgecore` finds
// a process, and the real-edgecore test may run one beside it) in which /etc and /var are overlays whose writable
// layer is a tmpfs and /usr/local/bin is an empty tmpfs; what keadm wrote is copied out before the namespace
// goes away. The CRI endpoint is criStub, the cloudcore host is loopback with a TLS server that answers 404
// ("no such node"), and PATH starts with shims: `file` succeeds so keadm takes the systemd branch, whose
// `sudo` fails, so keadm stops right after writing the file, and `systemctl` exists only so that v1.23.1 writes
// its unit file. Nothing reaches the host's systemd, and keadm sends nothing beyond loopback and the socket.

// joinScript runs in the private mount namespace: $1 is the work directory (with mnt/ and out/), the rest the
// keadm command. It exits with keadm's status.
const joinScript = `set -eu
w=$1; shift
mount -t tmpfs -o mode=0700 edgewatcher-keadm-test "$w/mnt"
for d in etc var; do
	mkdir -p "$w/mnt/$d/upper" "$w/mnt/$d/work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$w/mnt/$d/upper,workdir=$w/mnt/$d/work" "/$d"
done
if [ -d /usr/local/bin ]; then mount -t tmpfs edgewatcher-keadm-test /usr/local/bin; fi
mkdir -p /etc/systemd/system
set +e
"$@"
rc=$?
cp -R "$w/mnt/etc/upper" "$w/out/etc"
cp -R "$w/mnt/var/upper" "$w/out/var"
exit $rc
`

// shims are the commands put first on keadm's PATH (see above).
var shims = map[string]string{
	"file":      "#!/bin/sh\nexit 0\n",
	"sudo":      "#!/bin/sh\necho \"edgewatcher test shim: refusing sudo $*\" >&2\nexit 1\n",
	"systemctl": "#!/bin/sh\necho \"edgewatcher test shim: refusing systemctl $*\" >&2\nexit 1\n",
}

// hostPaths must look the same before and after a private join.
var hostPaths = []string{"/etc/kubeedge", "/etc/systemd/system/edgecore.service", "/var/lib/kubeedge",
	"/var/log/kubeedge", "/usr/local/bin/edgecore"}

// nodeCheckServer is the cloudcore HTTPS port as keadm v1.20 and later query it: every node is unknown.
type nodeCheckServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

// startNodeCheckServer serves TLS on host (127.0.0.1 or ::1) until the test ends.
func startNodeCheckServer(t *testing.T, host string) *nodeCheckServer {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		netns.SkipOrFail(t, "listen on %s: %v", host, err)
	}
	s := &nodeCheckServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		http.NotFound(w, r)
	}))
	s.Listener = l
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// requests returns "METHOD path" of each request so far.
func (s *nodeCheckServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

// port returns the server's port.
func (s *nodeCheckServer) port() int32 {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return int32(n)
}

// privateJoin is what one keadm join in a private mount namespace left behind.
type privateJoin struct {
	code           int
	stdout, stderr string
	// etc and var hold the files keadm wrote below /etc and /var.
	etc, varDir string
}

// requirePrivateJoin skips the test (fails it in CI) unless keadm can run in a private mount namespace.
func requirePrivateJoin(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		netns.SkipOrFail(t, "a private mount namespace for keadm join needs root (euid %d)", os.Geteuid())
	}
	netns.RequireCommands(t, "unshare", "mount", "bash", "cp", "pidof")
	tmp, err := filepath.EvalSymlinks(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"/etc", "/var"} {
		if tmp == d || strings.HasPrefix(tmp, d+"/") {
			netns.SkipOrFail(t, "the temporary directory %s lies under %s, which the test overlays; set TMPDIR elsewhere", tmp, d)
		}
	}
}

// runPrivateJoin runs `keadm <args>` as described at the top of this file.
func runPrivateJoin(t *testing.T, bin string, args []string) privateJoin {
	t.Helper()
	work, err := os.MkdirTemp("", "keadm-join-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(work) })
	shimDir := filepath.Join(work, "shims")
	for _, d := range []string{"mnt", "out", "shims", "home"} {
		if err := os.Mkdir(filepath.Join(work, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for name, script := range shims {
		if err := os.WriteFile(filepath.Join(shimDir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	before := statPaths(hostPaths)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// A private PID namespace with its own /proc too: keadm refuses to join when it sees an edgecore process,
	// and the real-edgecore test (or an edge node this runs on) may have one.
	cmdArgs := append([]string{"--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "--",
		"bash", "-c", joinScript, "join-script", work, bin}, args...)
	cmd := exec.CommandContext(ctx, "unshare", cmdArgs...)
	cmd.Dir = filepath.Join(work, "home")
	cmd.Env = []string{"PATH=" + shimDir + ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + cmd.Dir, "LANG=C"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	j := privateJoin{stdout: stdout.String(), stderr: stderr.String(),
		etc: filepath.Join(work, "out", "etc"), varDir: filepath.Join(work, "out", "var")}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		j.code = exit.ExitCode()
	default:
		t.Fatalf("keadm %q in a private mount namespace: %v\nstdout:\n%s\nstderr:\n%s", args, err, j.stdout, j.stderr)
	}
	if after := statPaths(hostPaths); after != before {
		t.Errorf("the host changed under a private join:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("keadm wrote: %s", strings.Join(listFiles(t, j.etc, "/etc"), " ")+" "+strings.Join(listFiles(t, j.varDir, "/var"), " "))
	return j
}

// statPaths describes whether each path exists and its modification time, for a before/after comparison.
func statPaths(paths []string) string {
	var b strings.Builder
	for _, p := range paths {
		st, err := os.Lstat(p)
		if err != nil {
			fmt.Fprintf(&b, "%s: absent; ", p)
			continue
		}
		fmt.Fprintf(&b, "%s: %s %s; ", p, st.Mode(), st.ModTime().Format(time.RFC3339Nano))
	}
	return b.String()
}

// listFiles lists the regular files under dir as paths below prefix.
func listFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.Join(prefix, rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// configCase is one join whose written edgecore.yaml is checked.
type configCase struct {
	name string
	// loopback is the cloudcore host: keadm v1.20 and later connect to it.
	loopback string
	nodeIP   string
}

// TestJoinWritesEdgeCoreConfig runs the generated `keadm join` for real, up to the point where it has written
// /etc/kubeedge/config/edgecore.yaml, and checks that the file carries what the input asked for: node name,
// labels, cloudcore addresses, cgroup driver and CRI endpoint, and, where pkg/keadm says the release can
// express them (v1.18 and later), the node IP and edgeStream; where it says it cannot, that the file indeed
// lacks them.
func TestJoinWritesEdgeCoreConfig(t *testing.T) {
	t.Parallel()
	requirePrivateJoin(t)
	for _, release := range releases {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			bin := keadmBinary(t, release)
			for _, c := range []configCase{
				{name: "IPv4", loopback: "127.0.0.1", nodeIP: "192.0.2.51"},
				{name: "IPv6", loopback: "::1", nodeIP: "2001:db8:20::51"},
			} {
				t.Run(c.name, func(t *testing.T) {
					checkJoinConfig(t, release, bin, c)
				})
			}
		})
	}
}

// checkJoinConfig runs one private join and checks its edgecore.yaml.
func checkJoinConfig(t *testing.T, release, bin string, c configCase) {
	cri := startCRIStub(t)
	cloud := startNodeCheckServer(t, c.loopback)
	v, err := keadm.ParseVersion(release)
	if err != nil {
		t.Fatal(err)
	}
	in := keadm.Input{
		Version:         release,
		CloudCore:       keadm.CloudCore{Host: c.loopback, HTTPSPort: cloud.port()},
		Token:           testToken,
		NodeName:        "edge-node-1",
		NodeIP:          c.nodeIP,
		Labels:          hostileLabels,
		RuntimeEndpoint: cri.endpoint,
		CgroupDriver:    keadm.CgroupDriverSystemd,
		ImageRepository: "registry.example.com:5000/kubeedge",
		EdgeStream:      true,
		TunnelServer:    "tunnel.kubeedge.example.com:30004",
		WithMQTT:        boolPtr(false),
	}
	cmd, err := keadm.Build(in)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Logf("%s", cmd.Shell)
	j := runPrivateJoin(t, bin, cmd.Argv[1:])
	out := j.stdout + j.stderr
	t.Logf("CRI calls: %q; cloudcore HTTPS requests: %q", cri.Calls(), cloud.requests())
	// keadm must have got exactly as far as starting edgecore, which the sudo shim refuses.
	if j.code == 0 || !strings.Contains(out, "start edgecore failed") || !strings.Contains(out, "refusing sudo") {
		t.Fatalf("keadm join: exit %d; want it to stop at starting edgecore (sudo refused)\nstdout:\n%s\nstderr:\n%s",
			j.code, j.stdout, j.stderr)
	}
	if v.AtLeast(20) {
		if got, want := cloud.requests(), []string{"GET /node/" + in.NodeName}; !reflect.DeepEqual(got, want) {
			t.Errorf("cloudcore HTTPS requests %q, want %q", got, want)
		}
	}

	data, err := os.ReadFile(filepath.Join(j.etc, "kubeedge", "config", "edgecore.yaml"))
	if err != nil {
		t.Fatalf("edgecore.yaml: %v\nstdout:\n%s", err, j.stdout)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("parse edgecore.yaml: %v", err)
	}
	host := net.JoinHostPort(c.loopback, "10000")
	checks := []struct {
		path string
		want any
	}{
		{"modules.edged.hostnameOverride", in.NodeName},
		{"modules.edged.nodeLabels", stringMapAny(in.Labels)},
		{"modules.edged.tailoredKubeletConfig.cgroupDriver", keadm.CgroupDriverSystemd},
		{"modules.edgeHub.websocket.enable", true},
		{"modules.edgeHub.websocket.server", host},
		{"modules.edgeHub.httpServer", "https://" + net.JoinHostPort(c.loopback, strconv.Itoa(int(cloud.port())))},
	}
	if v.AtLeast(18) {
		// Set through --set: what pkg/keadm cannot express before v1.18.
		checks = append(checks, []struct {
			path string
			want any
		}{
			{"modules.edged.nodeIP", in.NodeIP},
			{"modules.edgeStream.enable", true},
			{"modules.edgeStream.server", in.TunnelServer},
			{"modules.edged.tailoredKubeletConfig.containerRuntimeEndpoint", in.RuntimeEndpoint},
		}...)
	} else {
		// keadm's own defaults, which Build reports as limitations (edgeStream, tunnelServer, nodeIP).
		checks = append(checks, []struct {
			path string
			want any
		}{
			{"modules.edgeStream.enable", false},
			{"modules.edgeStream.server", net.JoinHostPort(c.loopback, "10004")},
			{"modules.edged.remoteRuntimeEndpoint", in.RuntimeEndpoint},
		}...)
		if got, _ := lookup(cfg, "modules.edged.nodeIP"); got == in.NodeIP {
			t.Errorf("modules.edged.nodeIP = %v, which %s cannot set", got, release)
		}
		for _, want := range []string{"nodeIP", "edgeStream", "tunnelServer"} {
			if !hasLimitation(cmd, want) {
				t.Errorf("Build for %s reports no %s limitation: %v", release, want, cmd.Limitations)
			}
		}
	}
	for _, ch := range checks {
		got, ok := lookup(cfg, ch.path)
		if !ok || !reflect.DeepEqual(got, ch.want) {
			t.Errorf("%s = %#v (present %v), want %#v", ch.path, got, ok, ch.want)
		}
	}
	if t.Failed() {
		t.Logf("edgecore.yaml:\n%s", data)
	}
}

// lookup follows a dotted path through nested maps.
func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// stringMapAny converts labels to what a YAML map decodes to.
func stringMapAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// hasLimitation reports whether cmd lists a limitation of the named setting.
func hasLimitation(cmd *keadm.Command, setting string) bool {
	for _, l := range cmd.Limitations {
		if l.Setting == setting {
			return true
		}
	}
	return false
}
