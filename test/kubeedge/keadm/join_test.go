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
	"errors"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// testToken has the join token's form, <sha256 of the CA in hex>.<JWT>; keadm does not verify it before join.
const testToken = "3f6b8d0c1e2a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678" +
	".eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3OTk5OTk5OTl9.gY5Yk2q0b3JmZ8Zt1m4xR0sZ2bq3bKk7y1f4Yl0t9aQ"

// joinCase is one realistic input to keadm.Build.
type joinCase struct {
	name string
	// minMinor is the oldest release that can express the case at all (QUIC needs v1.16); 0 means any.
	minMinor int
	// in returns the input for release.
	in func(release string) keadm.Input
	// flags are the flags the case is about: each must be in the argv wherever pkg/keadm says the release
	// has it and does not deprecate it.
	flags []string
}

// baseInput is a websocket join to an IPv4 cloudcore with the default ports.
func baseInput(release string) keadm.Input {
	return keadm.Input{
		Version:   release,
		CloudCore: keadm.CloudCore{Host: "192.0.2.10"},
		Token:     testToken,
		NodeName:  "edge-node-1",
	}
}

// with returns a case input: baseInput changed by mutate.
func with(mutate func(in *keadm.Input)) func(string) keadm.Input {
	return func(release string) keadm.Input {
		in := baseInput(release)
		mutate(&in)
		return in
	}
}

// hostileLabels are valid Kubernetes labels chosen to trip a careless encoder: an empty value, values that look
// like a bool, a number or a float, names of maximum length, prefixes with dots and dashes, upper case.
var hostileLabels = map[string]string{
	"node-role.kubernetes.io/edge": "",
	"kubernetes.io/hostname":       "edge-node-1",
	"topology.kubernetes.io/zone":  "cn-north-1a",
	"a.b-c.example.com/Z_z-9.x":    "TRUE",
	"x":                            "0",
	"version":                      "1.5e3",
	"k8s.io/n":                     "NaN",
	"app_kind":                     "A.B_C-D",
	strings.Repeat("n", 63):        strings.Repeat("v", 63),
	strings.Repeat("p", 60) + ".example.com/" + strings.Repeat("k", 63): "0x1F",
}

// joinCases are the inputs every release is checked with.
var joinCases = []joinCase{
	{name: "websocket, nothing optional", in: baseInput, flags: []string{keadm.FlagCloudCoreIPPort, keadm.FlagToken,
		keadm.FlagEdgeNodeName, keadm.FlagKubeEdgeVersion}},
	{name: "websocket, every setting", in: with(func(in *keadm.Input) {
		in.NodeIP = "192.0.2.51"
		in.Labels = map[string]string{"zone": "a", "app": "demo"}
		in.RuntimeEndpoint = "unix:///run/containerd/containerd.sock"
		in.CgroupDriver = keadm.CgroupDriverSystemd
		in.ImageRepository = "registry.example.com:5000/kubeedge"
		in.EdgeStream = true
		in.WithMQTT = boolPtr(false)
	}), flags: []string{keadm.FlagRemoteRuntimeEndpoint, keadm.FlagRuntimeType, keadm.FlagCgroupDriver,
		keadm.FlagImageRepository, keadm.FlagLabels, keadm.FlagWithMQTT, keadm.FlagSet}},
	{name: "explicit websocket on NodePorts", in: with(func(in *keadm.Input) {
		in.HubProtocol = keadm.HubProtocolWebSocket
		in.CloudCore = keadm.CloudCore{Host: "192.0.2.10", WebSocketPort: 30000, QUICPort: 30001, HTTPSPort: 30002, TunnelPort: 30004}
		in.EdgeStream = true
	}), flags: []string{keadm.FlagCertPort, keadm.FlagSet}},
	{name: "quic on NodePorts", minMinor: 16, in: with(func(in *keadm.Input) {
		in.HubProtocol = keadm.HubProtocolQUIC
		in.CloudCore = keadm.CloudCore{Host: "192.0.2.10", WebSocketPort: 30000, QUICPort: 30001, HTTPSPort: 30002, TunnelPort: 30004}
		in.EdgeStream = true
	}), flags: []string{keadm.FlagHubProtocol, keadm.FlagCertPort, keadm.FlagSet}},
	{name: "IPv6 cloudcore and node IP", in: with(func(in *keadm.Input) {
		in.CloudCore = keadm.CloudCore{Host: "2001:db8:10::10", TunnelPort: 30004}
		in.NodeIP = "2001:db8:20::51"
		in.EdgeStream = true
	}), flags: []string{keadm.FlagSet}},
	{name: "IPv6 cloudcore over quic", minMinor: 16, in: with(func(in *keadm.Input) {
		in.CloudCore = keadm.CloudCore{Host: "fd00:10::10"}
		in.HubProtocol = keadm.HubProtocolQUIC
		in.NodeIP = "fd00:20::51"
	}), flags: []string{keadm.FlagHubProtocol, keadm.FlagSet}},
	{name: "DNS-name cloudcore and tunnel", in: with(func(in *keadm.Input) {
		in.CloudCore = keadm.CloudCore{Host: "cloudcore.kubeedge.example.com", HTTPSPort: 443}
		in.TunnelServer = "tunnel.kubeedge.example.com:443"
		in.EdgeStream = true
	}), flags: []string{keadm.FlagCertPort, keadm.FlagSet}},
	{name: "hostile but valid labels", in: with(func(in *keadm.Input) {
		in.Labels = hostileLabels
	}), flags: []string{keadm.FlagLabels}},
	{name: "edgeStream without node IP", in: with(func(in *keadm.Input) {
		in.EdgeStream = true
	}), flags: []string{keadm.FlagSet}},
	{name: "node IP without edgeStream", in: with(func(in *keadm.Input) {
		in.NodeIP = "198.51.100.7"
	}), flags: []string{keadm.FlagSet}},
	{name: "cgroupfs and a CRI endpoint", in: with(func(in *keadm.Input) {
		in.CgroupDriver = keadm.CgroupDriverCgroupfs
		in.RuntimeEndpoint = "unix:///var/run/crio/crio.sock"
	}), flags: []string{keadm.FlagCgroupDriver, keadm.FlagRemoteRuntimeEndpoint, keadm.FlagRuntimeType}},
	{name: "image repository without registry", in: with(func(in *keadm.Input) {
		in.ImageRepository = "kubesphere"
	}), flags: []string{keadm.FlagImageRepository}},
	{name: "mqtt on", in: with(func(in *keadm.Input) {
		in.WithMQTT = boolPtr(true)
	}), flags: []string{keadm.FlagWithMQTT}},
	{name: "taints", in: with(func(in *keadm.Input) {
		in.Taints = []keadm.Taint{
			{Key: "node-role.kubernetes.io/edge", Effect: keadm.TaintEffectNoSchedule},
			{Key: "dedicated", Value: "edge", Effect: keadm.TaintEffectNoExecute},
		}
		in.Labels = map[string]string{"node-role.kubernetes.io/edge": ""}
	}), flags: []string{keadm.FlagLabels}},
}

func boolPtr(b bool) *bool { return &b }

// TestGeneratedJoinParses builds every case for every release and runs the argv through that release's keadm.
func TestGeneratedJoinParses(t *testing.T) {
	t.Parallel()
	for _, release := range releases {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			bin := keadmBinary(t, release)
			for _, c := range joinCases {
				t.Run(c.name, func(t *testing.T) {
					cmd := buildCase(t, c, release)
					if cmd == nil {
						return
					}
					requireParses(t, bin, cmd.Argv[1:])
				})
			}
		})
	}
}

// buildCase builds c for release and checks that the argv carries the flags the case is about. It returns nil
// when the release cannot express the case, after checking that Build says so.
func buildCase(t *testing.T, c joinCase, release string) *keadm.Command {
	t.Helper()
	in := c.in(release)
	cmd, err := keadm.Build(in)
	v, verr := keadm.ParseVersion(release)
	if verr != nil {
		t.Fatal(verr)
	}
	if v.Minor < c.minMinor {
		if !errors.Is(err, keadm.ErrUnsupported) {
			t.Fatalf("Build for %s: error %v, want ErrUnsupported", release, err)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if cmd.Argv[0] != "keadm" || cmd.Argv[1] != "join" {
		t.Fatalf("argv %q does not start with keadm join", cmd.Argv)
	}
	for _, flag := range c.flags {
		if !keadm.Supports(v, flag) || keadm.Deprecated(v, flag) || !caseNeeds(in, flag) {
			continue
		}
		if !hasFlag(cmd.Argv, flag) {
			t.Errorf("argv %q lacks --%s, which %s has", cmd.Argv, flag, release)
		}
	}
	t.Logf("%s: %s", release, cmd.Shell)
	for _, l := range cmd.Limitations {
		t.Logf("limitation: %s", l)
	}
	return cmd
}

// caseNeeds reports whether in asks for something that only flag can carry.
func caseNeeds(in keadm.Input, flag string) bool {
	switch flag {
	case keadm.FlagRuntimeType:
		// keadm up to v1.12 defaults to docker and would ignore the CRI endpoint.
		return in.RuntimeEndpoint != ""
	case keadm.FlagSet:
		return in.NodeIP != "" || in.EdgeStream || in.TunnelServer != ""
	}
	return true
}

// hasFlag reports whether argv passes --flag.
func hasFlag(argv []string, flag string) bool {
	for _, a := range argv {
		if a == "--"+flag || strings.HasPrefix(a, "--"+flag+"=") {
			return true
		}
	}
	return false
}
