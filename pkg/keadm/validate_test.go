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
	"strings"
	"testing"
)

// plant returns a mutation of a valid Input that puts h into one field, and that field's name.
type plant struct {
	field string
	set   func(in *Input, h string)
}

// plants covers every Input field whose value can come from a ConfigMap, a Secret, a request or a flag.
var plants = []plant{
	{"version", func(in *Input, h string) { in.Version = "v1.23.1" + h }},
	{"cloudCore.host", func(in *Input, h string) { in.CloudCore.Host = "192.168.1.10" + h }},
	{"cloudCore.host", func(in *Input, h string) { in.CloudCore.Host = "cloudcore" + h + ".example.com" }},
	{"token", func(in *Input, h string) { in.Token = testToken + h }},
	{"token", func(in *Input, h string) { in.Token = h + testToken }},
	{"nodeName", func(in *Input, h string) { in.NodeName = "edge-1" + h }},
	{"nodeIP", func(in *Input, h string) { in.NodeIP = "10.0.0.5" + h }},
	{"labels[", func(in *Input, h string) { in.Labels = map[string]string{"app" + h: "demo"} }},
	{"labels[", func(in *Input, h string) { in.Labels = map[string]string{"app": "demo" + h} }},
	{"taints[0]", func(in *Input, h string) { in.Taints = []Taint{{Key: "k" + h, Effect: TaintEffectNoSchedule}} }},
	{"taints[0]", func(in *Input, h string) {
		in.Taints = []Taint{{Key: "k", Value: "v" + h, Effect: TaintEffectNoSchedule}}
	}},
	{"taints[0]", func(in *Input, h string) { in.Taints = []Taint{{Key: "k", Effect: TaintEffectNoSchedule + h}} }},
	{"runtimeEndpoint", func(in *Input, h string) { in.RuntimeEndpoint = "unix:///run/containerd/containerd.sock" + h }},
	{"runtimeType", func(in *Input, h string) { in.RuntimeType = RuntimeTypeRemote + RuntimeType(h) }},
	{"cgroupDriver", func(in *Input, h string) { in.CgroupDriver = "systemd" + h }},
	{"imageRepository", func(in *Input, h string) { in.ImageRepository = "registry.example.com/kubeedge" + h }},
	{"tunnelServer", func(in *Input, h string) { in.TunnelServer = "192.168.1.10:30004" + h }},
	{"tunnelServer", func(in *Input, h string) { in.TunnelServer = "tunnel" + h + ".example.com:30004" }},
	{"hubProtocol", func(in *Input, h string) { in.HubProtocol = HubProtocolQUIC + HubProtocol(h) }},
}

func validInput() Input {
	in := fullInput("v1.23.1")
	in.Labels = nil
	return in
}

func TestBuildRejectsHostileValues(t *testing.T) {
	if _, err := Build(validInput()); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	for _, p := range plants {
		for _, h := range hostile {
			in := validInput()
			p.set(&in, h)
			cmd, err := Build(in)
			if err != nil {
				var fe *FieldError
				if !errors.As(err, &fe) || !strings.HasPrefix(fe.Field, p.field) {
					t.Errorf("%s=%q: error %v does not name the field", p.field, h, err)
				}
				if strings.ContainsAny(err.Error(), "\n\r") {
					t.Errorf("%s=%q: error message spans lines: %q", p.field, h, err)
				}
				continue
			}
			// Accepted: the value must then be harmless, and the line must still mean exactly argv.
			t.Logf("accepted %s=%q", p.field, h)
			mustRoundTrip(t, cmd.Shell, cmd.Argv)
			for _, a := range cmd.Argv {
				if strings.ContainsAny(a, ";$`'\"\n &|\\*?<>(){}~#!") {
					t.Errorf("%s=%q: accepted a shell-special value into argv word %q", p.field, h, a)
				}
			}
		}
	}
}

func TestBuildNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		mut   func(*Input)
		field string
		text  string
	}{
		{"missing version", func(in *Input) { in.Version = "" }, "version", "vMAJOR.MINOR.PATCH"},
		{"old version", func(in *Input) { in.Version = "v1.5.0" }, "version", "supported range"},
		{"missing host", func(in *Input) { in.CloudCore.Host = "" }, "cloudCore.host", "required"},
		{"non-canonical IPv6", func(in *Input) { in.CloudCore.Host = "FD00:0::1" }, "cloudCore.host", "fd00::1"},
		{"leading zero IPv4", func(in *Input) { in.CloudCore.Host = "192.168.001.10" }, "cloudCore.host", "not an IP"},
		{"mapped IPv4", func(in *Input) { in.CloudCore.Host = "::ffff:192.168.1.10" }, "cloudCore.host", "IPv4-mapped"},
		{"zone", func(in *Input) { in.CloudCore.Host = "fe80::1%eth0" }, "cloudCore.host", "zone"},
		{"upper-case name", func(in *Input) { in.CloudCore.Host = "CloudCore.example.com" }, "cloudCore.host", "DNS-1123"},
		{"port out of range", func(in *Input) { in.CloudCore.WebSocketPort = 70000 }, "cloudCore.webSocketPort", "port"},
		{"negative port", func(in *Input) { in.CloudCore.TunnelPort = -1 }, "cloudCore.tunnelPort", "port"},
		{"missing token", func(in *Input) { in.Token = "" }, "token", "required"},
		{"short hash", func(in *Input) { in.Token = "abc.def.ghi.jkl" }, "token", "join token"},
		{"upper-case hash", func(in *Input) { in.Token = strings.ToUpper(testToken[:64]) + testToken[64:] }, "token", "join token"},
		{"missing name", func(in *Input) { in.NodeName = "" }, "nodeName", "required"},
		{"upper-case name", func(in *Input) { in.NodeName = "Edge-1" }, "nodeName", "DNS-1123"},
		{"long name", func(in *Input) { in.NodeName = strings.Repeat("a", 254) }, "nodeName", "DNS-1123"},
		{"loopback node IP", func(in *Input) { in.NodeIP = "127.0.0.1" }, "nodeIP", "loopback"},
		{"unspecified node IP", func(in *Input) { in.NodeIP = "0.0.0.0" }, "nodeIP", "unspecified"},
		{"label key", func(in *Input) { in.Labels = map[string]string{"-bad": "x"} }, `labels["-bad"]`, "label key"},
		{"label value", func(in *Input) { in.Labels = map[string]string{"ok": "a,b"} }, `labels["ok"]`, "label value"},
		{"duplicate taint", func(in *Input) {
			in.Taints = []Taint{{Key: "k", Effect: TaintEffectNoSchedule}, {Key: "k", Value: "v", Effect: TaintEffectNoSchedule}}
		}, "taints[1]", "duplicate"},
		{"relative endpoint", func(in *Input) { in.RuntimeEndpoint = "unix://run/containerd.sock" }, "runtimeEndpoint", "unix:///"},
		{"dotdot endpoint", func(in *Input) { in.RuntimeEndpoint = "unix:///run/../etc/shadow" }, "runtimeEndpoint", ".."},
		{"tcp endpoint", func(in *Input) { in.RuntimeEndpoint = "tcp://10.0.0.1:2375" }, "runtimeEndpoint", "unix:///"},
		{"cgroup driver", func(in *Input) { in.CgroupDriver = "cgroupfs2" }, "cgroupDriver", "cgroupfs or systemd"},
		{"repository upper case", func(in *Input) { in.ImageRepository = "registry.example.com/KubeEdge" }, "imageRepository", "image repository"},
		{"repository with tag", func(in *Input) { in.ImageRepository = "kubeedge:v1" }, "imageRepository", "image repository"},
		{"repository scheme", func(in *Input) { in.ImageRepository = "https://registry.example.com/kubeedge" }, "imageRepository", "image repository"},
		{"tunnel without port", func(in *Input) { in.TunnelServer = "10.0.0.1" }, "tunnelServer", "host:port"},
		{"tunnel port zero-padded", func(in *Input) { in.TunnelServer = "10.0.0.1:030004" }, "tunnelServer", "invalid port"},
		{"tunnel IPv6 unbracketed", func(in *Input) { in.TunnelServer = "fd00::1:30004" }, "tunnelServer", "host:port"},
		{"hub protocol", func(in *Input) { in.HubProtocol = "tcp" }, "hubProtocol", "websocket or quic"},
		{"runtime type", func(in *Input) { in.RuntimeType = "containerd" }, "runtimeType", "remote or docker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.mut(&in)
			_, err := Build(in)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Build error = %v, want a *ValidationError", err)
			}
			var found bool
			for _, fe := range ve.Fields {
				if fe.Field == tt.field && strings.Contains(fe.Error(), tt.text) {
					found = true
				}
			}
			if !found {
				t.Fatalf("error %q: want field %q mentioning %q", err, tt.field, tt.text)
			}
		})
	}
}

func TestBuildReportsEveryBadField(t *testing.T) {
	_, err := Build(Input{Version: "v9", Token: "x", NodeName: "A"})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"version", "cloudCore.host", "token", "nodeName"} {
		if !strings.Contains(strings.Join(fields, ","), want) {
			t.Errorf("fields %q: missing %q", fields, want)
		}
	}
}

func TestBuildAcceptsValidVariants(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*Input)
	}{
		{"npipe endpoint", func(in *Input) { in.RuntimeEndpoint = "npipe://./pipe/containerd-containerd" }},
		{"docker hub repository", func(in *Input) { in.ImageRepository = "kubeedge" }},
		{"nested repository", func(in *Input) { in.ImageRepository = "docker.io/my_org/kube-edge__x" }},
		{"prefixed label", func(in *Input) { in.Labels = map[string]string{"node-role.kubernetes.io/edge": ""} }},
		{"DNS cloudcore", func(in *Input) { in.CloudCore.Host = "cloudcore.kubeedge.svc" }},
		{"cgroupfs", func(in *Input) { in.CgroupDriver = CgroupDriverCgroupfs }},
		{"IPv6 tunnel", func(in *Input) { in.TunnelServer = "[fd00::1]:30004" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.mut(&in)
			build(t, in)
		})
	}
}
