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

package app

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Options)
		wantErr string
	}{
		{"defaults", func(*Options) {}, ""},
		{"default target IP", func(o *Options) { o.DefaultTarget = "10.0.0.2" }, ""},
		{"default target IP:port", func(o *Options) { o.DefaultTarget = "10.0.0.2:10003" }, ""},
		{"default target IPv6 with port", func(o *Options) { o.DefaultTarget = "[fd00::2]:10003" }, ""},
		{"default target other port", func(o *Options) { o.DefaultTarget = "10.0.0.2:30003" }, "must equal --stream-port"},
		{"default target loopback", func(o *Options) { o.DefaultTarget = "127.0.0.1" }, "--default-target"},
		{"default target name", func(o *Options) { o.DefaultTarget = "cloudcore.kubeedge" }, "--default-target"},
		{"host address", func(o *Options) { o.HostAddresses = []string{"10.0.0.1", "fd00::1"} }, ""},
		{"bad host address", func(o *Options) { o.HostAddresses = []string{"10.0.0.1/24"} }, "--host-addresses"},
		{"stream port", func(o *Options) { o.StreamPort = 0 }, "--stream-port"},
		{"extra port", func(o *Options) { o.ExtraPorts = []int{10250, 70000} }, "--extra-ports 70000"},
		{"namespace", func(o *Options) { o.Namespace = "Kube_Edge" }, "--kubeedge-namespace"},
		{"node name", func(o *Options) { o.NodeName = "a/b" }, "--node-name"},
		{"selector", func(o *Options) { o.CloudCorePodSelector = "a in (" }, "--cloudcore-pod-selector"},
		{"resync", func(o *Options) { o.ResyncPeriod = time.Millisecond }, "--resync-period"},
		{"verify too long", func(o *Options) { o.VerifyInterval = o.ResyncPeriod/2 + 1 }, "--verify-interval"},
		{"verify half", func(o *Options) { o.VerifyInterval = o.ResyncPeriod / 2 }, ""},
		{"verify negative", func(o *Options) { o.VerifyInterval = -time.Second }, "--verify-interval"},
		{"metrics disabled", func(o *Options) { o.MetricsBindAddress = "0" }, ""},
		{"metrics address", func(o *Options) { o.MetricsBindAddress = "127.0.0.1:9090" }, ""},
		{"metrics bad address", func(o *Options) { o.MetricsBindAddress = "9090" }, "--metrics-bind-address"},
		{"healthz bad host", func(o *Options) { o.HealthzBindAddress = "example.com:1" }, "--healthz-bind-address"},
		{"backend", func(o *Options) { o.Dataplane.Backend = "ipvs" }, "--iptables-backend"},
		{"families", func(o *Options) { o.Dataplane.IPFamilies = []string{"ipv4", "ipv4"} }, "repeated"},
		{"no family", func(o *Options) { o.Dataplane.IPFamilies = nil }, "at least one"},
		{"netns relative path", func(o *Options) { o.Dataplane.NetNS = "a/b" }, "--netns"},
		{"netns name", func(o *Options) { o.Dataplane.NetNS = "ew-test-1" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			o.NodeName = "cloud-1"
			tt.mutate(o)
			err := o.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateParses(t *testing.T) {
	o := NewOptions()
	o.NodeName = "cloud-1"
	o.DefaultTarget = "[fd00::2]:10003"
	o.HostAddresses = []string{"10.0.0.1", " fd00::1 "}
	o.ExtraPorts = []int{10250}
	o.Dataplane.IPFamilies = []string{"IPv6"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.defaultTarget != netip.MustParseAddr("fd00::2") {
		t.Errorf("default target = %v", o.defaultTarget)
	}
	if !slices.Equal(o.hostAddresses, []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fd00::1")}) {
		t.Errorf("host addresses = %v", o.hostAddresses)
	}
	if !slices.Equal(o.extraPorts, []uint16{10250}) {
		t.Errorf("extra ports = %v", o.extraPorts)
	}
	if f, _ := o.Dataplane.families(); !slices.Equal(f, []forwarding.Family{forwarding.IPv6}) {
		t.Errorf("families = %v", f)
	}
}

func TestComplete(t *testing.T) {
	t.Run("node name from the environment, lowercased", func(t *testing.T) {
		t.Setenv(nodeNameEnv, " Cloud-1 ")
		o := NewOptions()
		if err := o.Complete(); err != nil {
			t.Fatal(err)
		}
		if o.NodeName != "cloud-1" {
			t.Errorf("node name = %q", o.NodeName)
		}
	})
	t.Run("node name from the hostname", func(t *testing.T) {
		t.Setenv(nodeNameEnv, "")
		o := NewOptions()
		if err := o.Complete(); err != nil {
			t.Fatal(err)
		}
		if o.NodeName == "" {
			t.Error("node name is empty")
		}
	})
	tests := []struct {
		name       string
		resync     time.Duration
		verify     time.Duration
		set        bool
		wantVerify time.Duration
	}{
		{"default kept", 10 * time.Second, DefaultVerifyInterval, false, DefaultVerifyInterval},
		{"default halved for a short resync", 2 * time.Second, DefaultVerifyInterval, false, time.Second},
		{"default halved when more than half", 8 * time.Second, DefaultVerifyInterval, false, 4 * time.Second},
		{"explicit kept (and rejected by Validate)", 2 * time.Second, DefaultVerifyInterval, true, DefaultVerifyInterval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			o.NodeName = "n"
			o.ResyncPeriod, o.VerifyInterval, o.verifyIntervalSet = tt.resync, tt.verify, tt.set
			if err := o.Complete(); err != nil {
				t.Fatal(err)
			}
			if o.VerifyInterval != tt.wantVerify {
				t.Errorf("verify interval = %v, want %v", o.VerifyInterval, tt.wantVerify)
			}
		})
	}
}

// TestCommandFlags checks the command parses its flags, hides --netns and has the cleanup subcommand.
func TestCommandFlags(t *testing.T) {
	cmd := NewCommand(t.Context())
	for _, name := range []string{"kubeconfig", "kubeedge-namespace", "default-target", "stream-port", "extra-ports", "node-name",
		"host-addresses", "iptables-backend", "ip-families", "resync-period", "verify-interval", "metrics-bind-address",
		"healthz-bind-address", "netns"} {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("flag --%s missing", name)
		}
	}
	if !cmd.Flags().Lookup("netns").Hidden {
		t.Error("--netns is not hidden")
	}
	cleanup, _, err := cmd.Find([]string{"cleanup"})
	if err != nil || cleanup.Name() != "cleanup" {
		t.Fatalf("cleanup subcommand: %v", err)
	}
	for _, name := range []string{"iptables-backend", "ip-families", "netns"} {
		if cleanup.Flags().Lookup(name) == nil {
			t.Errorf("cleanup flag --%s missing", name)
		}
	}
	if err := cmd.ParseFlags([]string{"--extra-ports=10250,10255", "--resync-period=30s"}); err != nil {
		t.Fatal(err)
	}
}
