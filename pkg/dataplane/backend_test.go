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

package dataplane

import (
	"context"
	"errors"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// scriptedRunner answers commands from a table; a missing entry fails like a missing command.
type scriptedRunner map[string]string

func (r scriptedRunner) Run(_ context.Context, _ []byte, name string, _ ...string) ([]byte, error) {
	out, ok := r[name]
	if !ok {
		return nil, errors.New("not found")
	}
	return []byte(out), nil
}

func TestDetectBackend(t *testing.T) {
	hint := "*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n"
	rules := func(n int) string {
		s := "*nat\n"
		for range n {
			s += "-A OUTPUT -j ACCEPT\n"
		}
		return s + "COMMIT\n"
	}
	tests := []struct {
		name    string
		runner  scriptedRunner
		want    Backend
		wantErr bool
	}{
		{"nothing installed", scriptedRunner{}, "", true},
		{"only nft", scriptedRunner{"iptables-nft-save": ""}, BackendNFT, false},
		{"only legacy", scriptedRunner{"iptables-legacy-save": rules(1)}, BackendLegacy, false},
		{"kubelet hint in legacy", scriptedRunner{"iptables-nft-save": rules(5), "iptables-legacy-save": hint}, BackendLegacy, false},
		{"kubelet hint in nft wins", scriptedRunner{"iptables-nft-save": hint, "ip6tables-legacy-save": hint + rules(9)}, BackendNFT, false},
		{"more legacy rules", scriptedRunner{"iptables-nft-save": rules(1), "ip6tables-legacy-save": rules(2)}, BackendLegacy, false},
		{"tie prefers nft", scriptedRunner{"iptables-nft-save": rules(2), "iptables-legacy-save": rules(2)}, BackendNFT, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectBackend(context.Background(), tt.runner)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("DetectBackend = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestBackend(t *testing.T) {
	tests := []struct {
		backend Backend
		family  forwarding.Family
		command string
		valid   bool
	}{
		{BackendSystem, forwarding.IPv4, "iptables", true},
		{BackendSystem, forwarding.IPv6, "ip6tables", true},
		{BackendLegacy, forwarding.IPv4, "iptables-legacy", true},
		{BackendNFT, forwarding.IPv6, "ip6tables-nft", true},
		{Backend("bogus"), forwarding.IPv4, "iptables-bogus", false},
	}
	for _, tt := range tests {
		if got := tt.backend.command(tt.family); got != tt.command || tt.backend.Valid() != tt.valid {
			t.Errorf("%q: command %q valid %v, want %q %v", tt.backend, got, tt.backend.Valid(), tt.command, tt.valid)
		}
	}
	modes := map[string]string{
		"iptables v1.8.9 (nf_tables)\n": "nf_tables",
		"iptables v1.8.9 (legacy)\n":    "legacy",
		"iptables v1.6.1\n":             "legacy",
	}
	for in, want := range modes {
		if got := parseMode([]byte(in)); got != want {
			t.Errorf("parseMode(%q) = %q, want %q", in, got, want)
		}
	}
}
