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

package cloudcore

import (
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// chartConfig is shaped like the cloudcore.yaml the KubeEdge Helm chart writes.
const chartConfig = `apiVersion: cloudcore.config.kubeedge.io/v1alpha2
kind: CloudCore
kubeAPIConfig:
  kubeConfig: ""
  master: ""
  qps: 100
  burst: 200
modules:
  cloudHub:
    advertiseAddress:
    - 192.168.1.10
    - cloudcore.example.com
    dnsNames:
    - ""
    nodeLimit: 1000
    tlsCAFile: /etc/kubeedge/ca/rootCA.crt
    tokenRefreshDuration: 6
    unixsocket:
      address: unix:///var/lib/kubeedge/kubeedge.sock
      enable: true
    websocket:
      address: 0.0.0.0
      enable: true
      port: 10000
    quic:
      address: 0.0.0.0
      enable: true
      maxIncomingStreams: 10000
      port: 10001
    https:
      address: 0.0.0.0
      enable: true
      port: 10002
  cloudStream:
    enable: true
    streamPort: 10003
    tunnelPort: 10004
    tlsStreamCAFile: /etc/kubeedge/ca/streamCA.crt
  dynamicController:
    enable: true
  router:
    enable: false
  iptablesManager:
    enable: true
    mode: external
`

func TestParseChartConfig(t *testing.T) {
	cfg, err := Parse([]byte(chartConfig))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.APIVersion != APIVersionV1alpha2 {
		t.Errorf("APIVersion = %q", cfg.APIVersion)
	}
	if got := strings.Join(cfg.AdvertiseAddresses, ","); got != "192.168.1.10,cloudcore.example.com" {
		t.Errorf("AdvertiseAddresses = %q", got)
	}
	checks := []struct {
		name   string
		got    Port
		number int32
		source string
	}{
		{"websocket", cfg.WebSocket.Port, 10000, "cloudcore.yaml modules.cloudHub.websocket.port"},
		{"quic", cfg.QUIC.Port, 10001, "cloudcore.yaml modules.cloudHub.quic.port"},
		{"https", cfg.HTTPS.Port, 10002, "cloudcore.yaml modules.cloudHub.https.port"},
		{"stream", cfg.CloudStream.StreamPort, 10003, "cloudcore.yaml modules.cloudStream.streamPort"},
		{"tunnel", cfg.CloudStream.TunnelPort, 10004, "cloudcore.yaml modules.cloudStream.tunnelPort"},
	}
	for _, c := range checks {
		if c.got.Number != c.number || c.got.Source != c.source {
			t.Errorf("%s = %v, want %d from %s", c.name, c.got, c.number, c.source)
		}
	}
	if !cfg.WebSocket.Enable || !cfg.QUIC.Enable || !cfg.HTTPS.Enable || !cfg.CloudStream.Enable {
		t.Errorf("enables = %+v", cfg)
	}
	if cfg.TokenRefresh != 6*time.Hour {
		t.Errorf("TokenRefresh = %v", cfg.TokenRefresh)
	}
	if cfg.IPTablesManager != (IPTablesManager{Enable: true, Mode: "external"}) {
		t.Errorf("IPTablesManager = %+v", cfg.IPTablesManager)
	}
}

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse([]byte("apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\nmodules:\n  cloudHub:\n    advertiseAddress: [\"fd00::10\"]\n"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := map[string]Port{
		"websocket": {10000, "default 10000 (cloudcore.yaml modules.cloudHub.websocket.port not set)"},
		"quic":      {10001, "default 10001 (cloudcore.yaml modules.cloudHub.quic.port not set)"},
		"https":     {10002, "default 10002 (cloudcore.yaml modules.cloudHub.https.port not set)"},
		"stream":    {10003, "default 10003 (cloudcore.yaml modules.cloudStream.streamPort not set)"},
		"tunnel":    {10004, "default 10004 (cloudcore.yaml modules.cloudStream.tunnelPort not set)"},
	}
	got := map[string]Port{"websocket": cfg.WebSocket.Port, "quic": cfg.QUIC.Port, "https": cfg.HTTPS.Port,
		"stream": cfg.CloudStream.StreamPort, "tunnel": cfg.CloudStream.TunnelPort}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %+v, want %+v", k, got[k], w)
		}
	}
	if !cfg.WebSocket.Enable || cfg.QUIC.Enable || !cfg.HTTPS.Enable || cfg.CloudStream.Enable {
		t.Errorf("default enables wrong: %+v", cfg)
	}
	if cfg.TokenRefresh != 12*time.Hour || cfg.IPTablesManager != (IPTablesManager{Enable: true, Mode: "internal"}) {
		t.Errorf("defaults: %v %+v", cfg.TokenRefresh, cfg.IPTablesManager)
	}
}

func TestParseMalformed(t *testing.T) {
	const hub = "modules:\n  cloudHub:\n    advertiseAddress: [192.168.1.10]\n"
	tests := []struct {
		name, doc, want string
	}{
		{"not YAML", "modules: [", "cloudcore.yaml: not valid YAML"},
		{"empty", "", "cloudcore.yaml: must be a mapping, got null"},
		{"list", "- a\n- b\n", "cloudcore.yaml: must be a mapping, got a list"},
		{"scalar", "hello", "cloudcore.yaml: must be a mapping, got the string"},
		{"no modules", "apiVersion: cloudcore.config.kubeedge.io/v1alpha2\nkind: CloudCore\n", "cloudcore.yaml: modules: is required"},
		{"null modules", "modules:\n", "cloudcore.yaml: modules: is required"},
		{"modules is a list", "modules: [a]\n", "cloudcore.yaml: modules: must be a mapping, got a list"},
		{"no cloudHub", "modules:\n  cloudStream:\n    enable: true\n", "cloudcore.yaml: modules.cloudHub: is required"},
		{"no advertiseAddress", "modules:\n  cloudHub:\n    websocket:\n      port: 10000\n",
			"cloudcore.yaml: modules.cloudHub.advertiseAddress: must list at least one address"},
		{"empty advertiseAddress", "modules:\n  cloudHub:\n    advertiseAddress: []\n",
			"cloudcore.yaml: modules.cloudHub.advertiseAddress: must list at least one address"},
		{"chart placeholder", "modules:\n  cloudHub:\n    advertiseAddress: [\"\"]\n",
			"cloudcore.yaml: modules.cloudHub.advertiseAddress[0]: must not be empty"},
		{"advertiseAddress scalar", "modules:\n  cloudHub:\n    advertiseAddress: 192.168.1.10\n",
			"cloudcore.yaml: modules.cloudHub.advertiseAddress: must be a list, got the string"},
		{"advertiseAddress number", "modules:\n  cloudHub:\n    advertiseAddress: [1]\n",
			"cloudcore.yaml: modules.cloudHub.advertiseAddress[0]: must be a string, got the number 1"},
		{"hostile address", "modules:\n  cloudHub:\n    advertiseAddress: [\"1.2.3.4;id\"]\n",
			"cloudcore.yaml: modules.cloudHub.advertiseAddress[0]: \"1.2.3.4;id\" is neither an IP address nor a DNS-1123 name"},
		{"substitution address", "modules:\n  cloudHub:\n    advertiseAddress: [\"$(id)\"]\n",
			"modules.cloudHub.advertiseAddress[0]: \"$(id)\" is neither"},
		{"leading zero", "modules:\n  cloudHub:\n    advertiseAddress: [\"192.168.001.10\"]\n",
			"modules.cloudHub.advertiseAddress[0]: \"192.168.001.10\" is not an IP address"},
		{"unspecified", "modules:\n  cloudHub:\n    advertiseAddress: [\"0.0.0.0\"]\n",
			"modules.cloudHub.advertiseAddress[0]: \"0.0.0.0\" is not an address an edge can dial"},
		{"string port", hub + "    websocket:\n      port: \"10000\"\n",
			"cloudcore.yaml: modules.cloudHub.websocket.port: must be an integer, got the string \"10000\""},
		{"float port", hub + "    https:\n      port: 10002.5\n",
			"cloudcore.yaml: modules.cloudHub.https.port: must be an integer, got 10002.5"},
		{"port zero", hub + "    quic:\n      port: 0\n", "cloudcore.yaml: modules.cloudHub.quic.port: 0 is not a port number (1-65535)"},
		{"port too big", hub + "  cloudStream:\n    tunnelPort: 70000\n",
			"cloudcore.yaml: modules.cloudStream.tunnelPort: 70000 is not a port number (1-65535)"},
		{"huge port", hub + "  cloudStream:\n    streamPort: 99999999999999999999\n",
			"cloudcore.yaml: modules.cloudStream.streamPort: must be an integer"},
		{"websocket scalar", hub + "    websocket: yes\n", "cloudcore.yaml: modules.cloudHub.websocket: must be a mapping, got the bool true"},
		{"enable string", hub + "    quic:\n      enable: \"true\"\n",
			"cloudcore.yaml: modules.cloudHub.quic.enable: must be true or false, got the string \"true\""},
		{"refresh zero", hub + "    tokenRefreshDuration: 0\n", "cloudcore.yaml: modules.cloudHub.tokenRefreshDuration: 0 hours is out of range"},
		{"refresh string", hub + "    tokenRefreshDuration: 12h\n",
			"cloudcore.yaml: modules.cloudHub.tokenRefreshDuration: must be an integer, got the string \"12h\""},
		{"iptables mode", hub + "  iptablesManager:\n    mode: hybrid\n",
			"cloudcore.yaml: modules.iptablesManager.mode: \"hybrid\" must be internal or external"},
		{"apiVersion", "apiVersion: v1\n" + hub, "cloudcore.yaml: apiVersion: \"v1\" must be"},
		{"kind", "kind: EdgeCore\n" + hub, "cloudcore.yaml: kind: \"EdgeCore\" must be CloudCore"},
		{"kind type", "kind: 3\n" + hub, "cloudcore.yaml: kind: must be a string, got the number 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse = %+v, want error containing %q", cfg, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
		})
	}
}

func TestParseConfigMap(t *testing.T) {
	if _, err := ParseConfigMap(nil); err == nil || !strings.Contains(err.Error(), "ConfigMap kubeedge/cloudcore: not found") {
		t.Errorf("nil ConfigMap: %v", err)
	}
	cm := &corev1.ConfigMap{Data: map[string]string{"other": "x"}}
	if _, err := ParseConfigMap(cm); err == nil || !strings.Contains(err.Error(), `has no key "cloudcore.yaml"`) {
		t.Errorf("missing key: %v", err)
	}
	cm.Data[ConfigKey] = "modules: {}\n"
	_, err := ParseConfigMap(cm)
	if err == nil || err.Error() != "ConfigMap kubeedge/cloudcore: cloudcore.yaml: modules.cloudHub: is required" {
		t.Errorf("bad config: %v", err)
	}
	cm.Data[ConfigKey] = chartConfig
	if _, err := ParseConfigMap(cm); err != nil {
		t.Errorf("chart config: %v", err)
	}
}
