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

package keadm

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" +
	".eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2lnbmF0dXJl"

func boolPtr(b bool) *bool { return &b }

// fullInput asks for every setting, so each version boundary shows what it can express.
func fullInput(version string) Input {
	return Input{
		Version:         version,
		CloudCore:       CloudCore{Host: "192.168.1.10"},
		Token:           testToken,
		NodeName:        "edge-1",
		NodeIP:          "10.0.0.5",
		Labels:          map[string]string{"zone": "a", "app": "demo"},
		RuntimeEndpoint: "unix:///run/containerd/containerd.sock",
		CgroupDriver:    "systemd",
		ImageRepository: "registry.example.com:5000/kubeedge",
		EdgeStream:      true,
		WithMQTT:        boolPtr(false),
	}
}

// build runs Build and checks the shell line against the argv with a real shell parser.
func build(t *testing.T, in Input) *Command {
	t.Helper()
	cmd, err := Build(in)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	mustRoundTrip(t, cmd.Shell, cmd.Argv)
	return cmd
}

func limitationSettings(ls []Limitation) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Setting
	}
	return out
}

func TestBuildVersionBoundaries(t *testing.T) {
	const (
		head     = "--cloudcore-ipport=192.168.1.10:10000"
		token    = "--token=" + testToken
		name     = "--edgenode-name=edge-1"
		endpoint = "--remote-runtime-endpoint=unix:///run/containerd/containerd.sock"
		remote   = "--runtimetype=remote"
		cgroup   = "--cgroupdriver=systemd"
		repo     = "--image-repository=registry.example.com:5000/kubeedge"
		labels   = "--labels=app=demo,zone=a"
		noMQTT   = "--with-mqtt=false"
		set      = "--set=Modules.Edged.NodeIP=10.0.0.5,modules.edgeStream.enable=true"
	)
	tests := []struct {
		version string
		argv    []string
		limits  []string
	}{
		{"v1.6.0", []string{head, token, name, "--kubeedge-version=1.6.0", endpoint, remote, cgroup},
			[]string{"imageRepository", "labels", "withMQTT", "nodeIP", "edgeStream"}},
		{"v1.7.3", []string{head, token, name, "--kubeedge-version=1.7.3", endpoint, remote, cgroup},
			[]string{"imageRepository", "labels", "withMQTT", "nodeIP", "edgeStream"}},
		{"v1.8.0", []string{head, token, name, "--kubeedge-version=1.8.0", endpoint, remote, cgroup, labels},
			[]string{"imageRepository", "withMQTT", "nodeIP", "edgeStream"}},
		{"v1.10.0", []string{head, token, name, "--kubeedge-version=1.10.0", endpoint, remote, cgroup, labels, noMQTT},
			[]string{"imageRepository", "nodeIP", "edgeStream"}},
		{"v1.11.0", []string{head, token, name, "--kubeedge-version=v1.11.0", endpoint, remote, cgroup, repo, labels, noMQTT},
			[]string{"nodeIP", "edgeStream"}},
		{"v1.13.0", []string{head, token, name, "--kubeedge-version=v1.13.0", endpoint, remote, cgroup, repo, labels, noMQTT},
			[]string{"nodeIP", "edgeStream"}},
		{"v1.15.2", []string{head, token, name, "--kubeedge-version=v1.15.2", endpoint, remote, cgroup, repo, labels, noMQTT},
			[]string{"nodeIP", "edgeStream"}},
		{"v1.16.0", []string{head, token, name, "--kubeedge-version=v1.16.0", endpoint, cgroup, repo, labels},
			[]string{"nodeIP", "edgeStream"}},
		{"v1.17.1", []string{head, token, name, "--kubeedge-version=v1.17.1", endpoint, cgroup, repo, labels},
			[]string{"nodeIP", "edgeStream"}},
		{"v1.18.0", []string{head, token, name, "--kubeedge-version=v1.18.0", endpoint, cgroup, repo, labels, set},
			[]string{}},
		{"v1.20.0", []string{head, token, name, "--kubeedge-version=v1.20.0", endpoint, cgroup, repo, labels, set},
			[]string{}},
		{"v1.21.0", []string{head, token, name, "--kubeedge-version=v1.21.0", endpoint, cgroup, repo, labels, set},
			[]string{}},
		{"v1.23.1", []string{head, token, name, "--kubeedge-version=v1.23.1", endpoint, cgroup, repo, labels, set},
			[]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			cmd := build(t, fullInput(tt.version))
			want := append([]string{"keadm", "join"}, tt.argv...)
			if !slices.Equal(cmd.Argv, want) {
				t.Errorf("argv:\n got %q\nwant %q", cmd.Argv, want)
			}
			if got := limitationSettings(cmd.Limitations); !slices.Equal(got, tt.limits) {
				t.Errorf("limitations = %q, want %q (%v)", got, tt.limits, cmd.Limitations)
			}
			for _, a := range cmd.Argv[2:] {
				flag := strings.TrimPrefix(strings.SplitN(a, "=", 2)[0], "--")
				if !Supports(cmd.Version, flag) {
					t.Errorf("%s passed to %s, which lacks it", a, cmd.Version)
				}
			}
		})
	}
}

func TestBuildMinimal(t *testing.T) {
	cmd := build(t, Input{Version: "v1.23.1", CloudCore: CloudCore{Host: "cloudcore.example.com"}, Token: testToken, NodeName: "edge-1"})
	want := []string{"keadm", "join", "--cloudcore-ipport=cloudcore.example.com:10000", "--token=" + testToken,
		"--edgenode-name=edge-1", "--kubeedge-version=v1.23.1"}
	if !slices.Equal(cmd.Argv, want) || len(cmd.Limitations) != 0 {
		t.Fatalf("argv %q limitations %v, want %q and none", cmd.Argv, cmd.Limitations, want)
	}
	wantShell := "keadm join --cloudcore-ipport=cloudcore.example.com:10000 --token=" + testToken +
		" --edgenode-name=edge-1 --kubeedge-version=v1.23.1"
	if cmd.Shell != wantShell {
		t.Fatalf("shell = %q, want %q", cmd.Shell, wantShell)
	}
}

func TestBuildPortsAndProtocols(t *testing.T) {
	nodePorts := CloudCore{Host: "192.168.1.10", WebSocketPort: 30000, QUICPort: 30001, HTTPSPort: 30002, TunnelPort: 30004}
	base := func(v string, cc CloudCore) Input {
		return Input{Version: v, CloudCore: cc, Token: testToken, NodeName: "edge-1", EdgeStream: true}
	}
	tests := []struct {
		name   string
		in     Input
		argv   []string
		limits []string
	}{
		{
			name: "NodePorts v1.23.1",
			in:   base("v1.23.1", nodePorts),
			argv: []string{"--cloudcore-ipport=192.168.1.10:30000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.23.1", "--certport=30002",
				"--set=modules.edgeStream.enable=true,modules.edgeStream.server=192.168.1.10:30004"},
		},
		{
			name: "NodePorts v1.17.0 cannot point the tunnel",
			in:   base("v1.17.0", nodePorts),
			argv: []string{"--cloudcore-ipport=192.168.1.10:30000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.17.0", "--certport=30002"},
			limits: []string{"edgeStream", "tunnelServer"},
		},
		{
			name: "QUIC v1.16.0",
			in: func() Input {
				in := base("v1.16.0", nodePorts)
				in.HubProtocol = HubProtocolQUIC
				in.EdgeStream = false
				return in
			}(),
			argv: []string{"--cloudcore-ipport=192.168.1.10:30001", "--hub-protocol=quic", "--token=" + testToken,
				"--edgenode-name=edge-1", "--kubeedge-version=v1.16.0", "--certport=30002"},
		},
		{
			name: "explicit websocket is the default",
			in: func() Input {
				in := base("v1.23.1", CloudCore{Host: "10.1.1.1"})
				in.HubProtocol = HubProtocolWebSocket
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.23.1", "--set=modules.edgeStream.enable=true"},
		},
		{
			name: "IPv6 cloudcore and node",
			in: func() Input {
				in := base("v1.23.1", CloudCore{Host: "fd00::10", TunnelPort: 30004})
				in.NodeIP = "fd00::5"
				return in
			}(),
			argv: []string{"--cloudcore-ipport=[fd00::10]:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.23.1",
				"--set=Modules.Edged.NodeIP=fd00::5,modules.edgeStream.enable=true,modules.edgeStream.server=[fd00::10]:30004"},
		},
		{
			name: "tunnel server override",
			in: func() Input {
				in := base("v1.19.2", CloudCore{Host: "10.1.1.1"})
				in.TunnelServer = "tunnel.example.com:443"
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.19.2", "--set=modules.edgeStream.enable=true,modules.edgeStream.server=tunnel.example.com:443"},
		},
		{
			name: "docker runtime v1.13",
			in: func() Input {
				in := base("v1.13.4", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream, in.RuntimeType = false, RuntimeTypeDocker
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.13.4", "--runtimetype=docker"},
		},
		{
			name: "mqtt on where the release decides",
			in: func() Input {
				in := base("v1.9.0", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream, in.WithMQTT = false, boolPtr(true)
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=1.9.0"},
		},
		{
			name: "mqtt on where keadm deprecates the flag",
			in: func() Input {
				in := base("v1.19.2", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream, in.WithMQTT = false, boolPtr(true)
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.19.2"},
			limits: []string{"withMQTT"},
		},
		{
			name: "mqtt off where keadm deprecates the flag is its default",
			in: func() Input {
				in := base("v1.16.0", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream, in.WithMQTT = false, boolPtr(false)
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.16.0"},
		},
		{
			name: "mqtt on where keadm takes the flag",
			in: func() Input {
				in := base("v1.15.0", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream, in.WithMQTT = false, boolPtr(true)
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.15.0", "--with-mqtt=true"},
		},
		{
			name: "mqtt on after removal",
			in: func() Input {
				in := base("v1.21.0", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream, in.WithMQTT = false, boolPtr(true)
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.21.0"},
			limits: []string{"withMQTT"},
		},
		{
			name: "taints are never expressible",
			in: func() Input {
				in := base("v1.23.1", CloudCore{Host: "10.1.1.1"})
				in.EdgeStream = false
				in.Taints = []Taint{{Key: "node-role.kubernetes.io/edge", Effect: TaintEffectNoSchedule}}
				return in
			}(),
			argv: []string{"--cloudcore-ipport=10.1.1.1:10000", "--token=" + testToken, "--edgenode-name=edge-1",
				"--kubeedge-version=v1.23.1"},
			limits: []string{"taints"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := build(t, tt.in)
			want := append([]string{"keadm", "join"}, tt.argv...)
			if !slices.Equal(cmd.Argv, want) {
				t.Errorf("argv:\n got %q\nwant %q", cmd.Argv, want)
			}
			if got := limitationSettings(cmd.Limitations); !slices.Equal(got, append([]string{}, tt.limits...)) {
				t.Errorf("limitations = %q, want %q", got, tt.limits)
			}
		})
	}
}

func TestBuildTaintLimitationNamesTheTaint(t *testing.T) {
	in := fullInput("v1.23.1")
	in.Taints = []Taint{{Key: "node-role.kubernetes.io/edge", Effect: TaintEffectNoSchedule}}
	cmd := build(t, in)
	if len(cmd.Limitations) != 1 || !strings.Contains(cmd.Limitations[0].Reason, "node-role.kubernetes.io/edge:NoSchedule") {
		t.Fatalf("limitations = %v, want one naming the taint", cmd.Limitations)
	}
}

func TestBuildUnsupportedIsAnError(t *testing.T) {
	tests := []struct {
		name  string
		in    Input
		field string
	}{
		{"quic before v1.16", func() Input { in := fullInput("v1.15.0"); in.HubProtocol = HubProtocolQUIC; return in }(), "hubProtocol"},
		{"docker from v1.14", func() Input { in := fullInput("v1.14.0"); in.RuntimeType = RuntimeTypeDocker; return in }(), "runtimeType"},
		{"strict node IP before v1.18", func() Input { in := fullInput("v1.17.0"); in.Strict = true; return in }(), "nodeIP"},
		{"strict taints", func() Input {
			in := fullInput("v1.23.1")
			in.Strict = true
			in.Taints = []Taint{{Key: "k", Effect: TaintEffectNoExecute}}
			return in
		}(), "taints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := Build(tt.in)
			if err == nil {
				t.Fatalf("Build = %q, want error", cmd.Argv)
			}
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("error %v does not wrap ErrUnsupported", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("error %v: want a FieldError for %q", err, tt.field)
			}
		})
	}
}

func TestBuildStrictWithoutLimitations(t *testing.T) {
	in := fullInput("v1.18.0")
	in.Strict = true
	build(t, in)
}

// TestBuildEveryRelease builds a range of inputs for every supported minor release and checks
// each command with the shell parser, the flag table and the --set model.
func TestBuildEveryRelease(t *testing.T) {
	variants := []func(*Input){
		func(in *Input) {},
		func(in *Input) {
			in.CloudCore = CloudCore{Host: "fd00::10", WebSocketPort: 30000, HTTPSPort: 30002, TunnelPort: 30004}
		},
		func(in *Input) {
			in.CloudCore = CloudCore{Host: "cloudcore.example.com"}
			in.TunnelServer = "[fd00::1]:443"
		},
		func(in *Input) { in.HubProtocol = HubProtocolQUIC },
		func(in *Input) {
			in.RuntimeEndpoint = "npipe://./pipe/containerd-containerd"
			in.WithMQTT = boolPtr(true)
		},
		func(in *Input) {
			in.Labels = map[string]string{"node-role.kubernetes.io/edge": "", "a.b/c_d": "E.f-9"}
			in.Taints = []Taint{{Key: "dedicated", Value: "edge", Effect: TaintEffectNoExecute}}
		},
	}
	for minor := MinMinor; minor <= MaxMinor; minor++ {
		for _, patch := range []int{0, 3} {
			version := fmt.Sprintf("v1.%d.%d", minor, patch)
			for i, mutate := range variants {
				in := fullInput(version)
				mutate(&in)
				cmd, err := Build(in)
				if in.HubProtocol == HubProtocolQUIC && minor < 16 {
					if !errors.Is(err, ErrUnsupported) {
						t.Errorf("%s variant %d: quic error = %v, want ErrUnsupported", version, i, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s variant %d: %v", version, i, err)
				}
				mustRoundTrip(t, cmd.Shell, cmd.Argv)
				for _, a := range cmd.Argv[2:] {
					name, value, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
					if !Supports(cmd.Version, name) {
						t.Errorf("%s variant %d: %s passed to a release that lacks it", version, i, a)
					}
					if Deprecated(cmd.Version, name) {
						t.Errorf("%s variant %d: %s passed to a release that deprecates it", version, i, a)
					}
					if name == FlagSet {
						if _, skipped := readKeadmSet(value); len(skipped) > 0 {
							t.Errorf("%s variant %d: keadm would skip %q of %s", version, i, skipped, a)
						}
					}
				}
			}
		}
	}
}
