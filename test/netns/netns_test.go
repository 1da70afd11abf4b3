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

package netns

import (
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
)

func TestNamespace(t *testing.T) {
	ns := New(t, netip.MustParsePrefix("10.99.0.1/24"), netip.MustParsePrefix("fd99::1/64"))
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"lo is up", []string{"ip", "-o", "link", "show", "lo"}, "UP"},
		{"ew0 has the IPv4 address", []string{"ip", "-o", "address", "show", DummyInterface}, "10.99.0.1/24"},
		{"ew0 has the IPv6 address", []string{"ip", "-o", "address", "show", DummyInterface}, "fd99::1/64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := ns.MustRun(t, tt.argv...); !strings.Contains(out, tt.want) {
				t.Errorf("%v printed %q, want it to contain %q", tt.argv, out, tt.want)
			}
		})
	}
	if err := exec.Command("ip", "link", "show", DummyInterface).Run(); err == nil {
		t.Logf("note: the host has an interface named %s of its own", DummyInterface)
	}
}

func TestDo(t *testing.T) {
	ns := New(t, netip.MustParsePrefix("10.99.0.1/24"))
	tests := []struct {
		name    string
		fn      func() error
		wantErr string
	}{
		{"exec runs inside", func() error {
			return exec.Command("ip", "link", "show", DummyInterface).Run()
		}, ""},
		{"sockets open inside", func() error {
			l, err := net.Listen("tcp", "10.99.0.1:0")
			if err != nil {
				return err
			}
			return l.Close()
		}, ""},
		{"a panic becomes an error", func() error { panic("boom") }, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ns.Do(tt.fn)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Do = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDoMissingNamespace(t *testing.T) {
	ns := &Namespace{Name: "ew-test-does-not-exist"}
	if err := ns.Do(func() error { return nil }); err == nil {
		t.Error("Do in a missing namespace succeeded")
	}
}
