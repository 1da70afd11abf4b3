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

package framework

import (
	"reflect"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// defaultConfigExcerpt has the shape of `edgecore --defaultconfig` v1.23.1 in the sections keadm changes.
const defaultConfigExcerpt = `apiVersion: edgecore.config.kubeedge.io/v1alpha2
kind: EdgeCore
database:
  dataSource: /var/lib/kubeedge/edgecore.db
modules:
  edgeHub:
    enable: true
    httpServer: https://127.0.0.1:10002
    quic:
      enable: false
      server: 127.0.0.1:10001
    websocket:
      enable: true
      server: 127.0.0.1:10000
  edgeStream:
    enable: false
    server: 127.0.0.1:10004
  edged:
    enable: true
    hostnameOverride: vm
    nodeIP: 10.0.2.15
    nodeLabels: {}
    tailoredKubeletConfig:
      cgroupDriver: cgroupfs
      containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
`

func TestApplyKeadmJoinOfGeneratedCommand(t *testing.T) {
	cmd, err := keadm.Build(keadm.Input{
		Version:         "v1.23.1",
		CloudCore:       keadm.CloudCore{Host: "10.97.0.2"},
		Token:           "3f6b8d0c1e2a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.a.b.c",
		NodeName:        "edge-1",
		NodeIP:          "10.96.0.2",
		Labels:          map[string]string{"zone": "a", "node-role.kubernetes.io/edge": ""},
		RuntimeEndpoint: "unix:///run/k3s/containerd/containerd.sock",
		CgroupDriver:    "systemd",
		EdgeStream:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseEdgeCoreConfig([]byte(defaultConfigExcerpt))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplyKeadmJoin(cmd.Argv); err != nil {
		t.Fatalf("%v\nargv: %q", err, cmd.Argv)
	}
	for path, want := range map[string]any{
		"modules.edgeHub.token":                                        "3f6b8d0c1e2a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.a.b.c",
		"modules.edgeHub.httpServer":                                   "https://10.97.0.2:10002",
		"modules.edgeHub.websocket.enable":                             true,
		"modules.edgeHub.websocket.server":                             "10.97.0.2:10000",
		"modules.edgeHub.quic.enable":                                  false,
		"modules.edgeStream.enable":                                    true,
		"modules.edgeStream.server":                                    "10.97.0.2:10004",
		"modules.edged.hostnameOverride":                               "edge-1",
		"modules.edged.nodeIP":                                         "10.96.0.2",
		"modules.edged.nodeLabels":                                     map[string]any{"zone": "a", "node-role.kubernetes.io/edge": ""},
		"modules.edged.tailoredKubeletConfig.cgroupDriver":             "systemd",
		"modules.edged.tailoredKubeletConfig.containerRuntimeEndpoint": "unix:///run/k3s/containerd/containerd.sock",
		"modules.edged.tailoredKubeletConfig.imageServiceEndpoint":     "unix:///run/k3s/containerd/containerd.sock",
		"database.dataSource":                                          "/var/lib/kubeedge/edgecore.db",
	} {
		got, ok := c.Get(path)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v (present %v), want %#v\nargv: %q", path, got, ok, want, cmd.Argv)
		}
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "kind: EdgeCore") {
		t.Errorf("rendered config lost its kind:\n%s", out)
	}
}

func TestParseKeadmJoin(t *testing.T) {
	got, err := ParseKeadmJoin([]string{"keadm", "join", "--cloudcore-ipport=1.2.3.4:10000", "-t", "tok",
		"-i", "n1", "--with-mqtt", "--set", "a=1", "--set=b=2", "-p=unix:///x.sock"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"cloudcore-ipport": {"1.2.3.4:10000"}, "token": {"tok"}, "edgenode-name": {"n1"}, "with-mqtt": {"true"},
		"set": {"a=1", "b=2"}, "remote-runtime-endpoint": {"unix:///x.sock"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseKeadmJoin = %v, want %v", got, want)
	}
	for _, bad := range [][]string{{"keadm", "gettoken"}, {"keadm", "join", "--token"}, {"keadm", "join", "stray"}} {
		if _, err := ParseKeadmJoin(bad); err == nil {
			t.Errorf("ParseKeadmJoin(%q): no error", bad)
		}
	}
}

func TestApplySet(t *testing.T) {
	for _, tc := range []struct {
		set, path string
		want      any
	}{
		{"modules.edgeStream.enable=true", "modules.edgeStream.enable", true},
		{"Modules.Edged.NodeIP=10.1.2.3", "modules.edged.nodeIP", "10.1.2.3"},
		{"Modules.EdgeHub.WebSocket.Server=h:1", "modules.edgeHub.websocket.server", "h:1"},
		{"modules.edgeHub.quic.enable=false,modules.edgeStream.server=x:7", "modules.edgeStream.server", "x:7"},
		{"DataBase.DataSource=/d.db", "database.dataSource", "/d.db"},
		{"modules.edged.maxPods=110", "modules.edged.maxPods", 110},
	} {
		c, err := ParseEdgeCoreConfig([]byte(defaultConfigExcerpt))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.applySet(tc.set); err != nil {
			t.Errorf("--set %s: %v", tc.set, err)
			continue
		}
		if got, _ := c.Get(tc.path); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("--set %s: %s = %#v, want %#v", tc.set, tc.path, got, tc.want)
		}
	}
	c, _ := ParseEdgeCoreConfig([]byte(defaultConfigExcerpt))
	for _, bad := range []string{"modules.nosuch.x=1", `modules.edged.hostnameOverride="q"`, "Modules.Nosuch.X=1"} {
		if err := c.applySet(bad); err == nil {
			t.Errorf("--set %s: no error", bad)
		}
	}
}
