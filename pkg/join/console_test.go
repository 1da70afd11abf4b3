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

package join

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// TestConsoleWithoutIP replays KubeSphere 4.1's calls, which carry no address: without pools only the
// name is reserved and the command leaves the address to edgecore; with pools the lowest free one is used.
func TestConsoleWithoutIP(t *testing.T) {
	ctx := context.Background()
	yes := true
	t.Run("no pools", func(t *testing.T) {
		f := newFixture(t)
		req := LegacyRequest{NodeName: "edge-41", IPOptional: true, Requester: "alice"}
		if _, err := f.svc.LegacyCommand(ctx, req); err != nil {
			t.Fatalf("validator call: %v", err)
		}
		if f.tracker.Len() != 0 {
			t.Fatal("a validator call must not reserve")
		}
		req.DefaultTaint = &yes
		line, err := f.svc.LegacyCommand(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		f.settle(t, 1)
		r, _ := f.tracker.Get("edge-41")
		if r.IP.IsValid() {
			t.Errorf("reserved address %s, want the name only", r.IP)
		}
		if strings.Contains(line, "nodeIP") {
			t.Errorf("the command sets a node IP: %s", line)
		}
		// Another authorized user gets the reserved node's command, as for joincommand; nobody can
		// reserve the name with an address.
		again, err := f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-41", IPOptional: true, DefaultTaint: &yes, Requester: "bob"})
		if err != nil || again != line {
			t.Errorf("second call = %v, %s; want the same command", err, again)
		}
		_, err = f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-41", NodeIP: "10.0.0.77", IPOptional: true, DefaultTaint: &yes, Requester: "bob"})
		wantField(t, err, FieldName, ReasonInUse, "")
		// The 3.x route still needs an address.
		_, err = f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-42", DefaultTaint: &yes, Requester: "alice"})
		wantField(t, err, FieldIP, ReasonInvalid, "")
	})
	t.Run("pools", func(t *testing.T) {
		f := newFixture(t)
		pools, err := ipam.ParsePools([]string{"10.20.0.0/30"})
		if err != nil {
			t.Fatal(err)
		}
		f.svc.Pools = pools
		req := LegacyRequest{NodeName: "edge-41", IPOptional: true, DefaultTaint: &yes, Requester: "alice"}
		line, err := f.svc.LegacyCommand(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		f.settle(t, 1)
		r, _ := f.tracker.Get("edge-41")
		if r.IP.String() != "10.20.0.1" || !strings.Contains(line, "10.20.0.1") {
			t.Errorf("reserved %s with command %s, want 10.20.0.1 in both", r.IP, line)
		}
		req.NodeName = "edge-42"
		if line, err = f.svc.LegacyCommand(ctx, req); err != nil || !strings.Contains(line, "10.20.0.2") {
			t.Errorf("second node: %v %s, want 10.20.0.2", err, line)
		}
	})
}

// TestConsoleOptions checks the optional parameters of KubeSphere-based consoles against the configured
// cloudcore release and their effect on the command.
func TestConsoleOptions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tests := []struct {
		name      string
		opts      ConsoleOptions
		want      []string
		wantNot   []string
		wantError string
	}{
		{"defaults", ConsoleOptions{}, []string{"--kubeedge-version=" + DefaultKubeEdgeVersion}, []string{"--remote-runtime-endpoint"}, ""},
		{"older edge", ConsoleOptions{Version: "v1.22.0"}, []string{"--kubeedge-version=v1.22.0", "keadm-v1.22.0-linux-"}, nil, ""},
		{"containerd", ConsoleOptions{Runtime: "containerd"}, []string{"--remote-runtime-endpoint=" + keadm.ContainerdEndpoint}, nil, ""},
		{"docker", ConsoleOptions{Runtime: "docker"}, []string{"--remote-runtime-endpoint=" + keadm.CRIDockerdEndpoint}, nil, ""},
		{"image repository", ConsoleOptions{ImageRepository: "registry.example.com:5000/kubeedge"},
			[]string{"--image-repository=registry.example.com:5000/kubeedge"}, nil, ""},
		{"newer than cloudcore", ConsoleOptions{Version: "v1.24.0"}, nil, nil, "outside the supported range"},
		{"too old", ConsoleOptions{Version: "v1.12.7"}, nil, nil, "more than 2 minor releases older"},
		{"not a version", ConsoleOptions{Version: "latest; rm -rf /"}, nil, nil, "not a release version"},
		{"unknown runtime", ConsoleOptions{Runtime: "cri-o"}, nil, nil, "must be containerd or docker"},
		{"hostile image repository", ConsoleOptions{ImageRepository: "x$(reboot)"}, nil, nil, "imageRepository"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := LegacyRequest{NodeName: fmt.Sprintf("edge-o%d", i), NodeIP: fmt.Sprintf("10.0.1.%d", i+1), Options: tt.opts}
			line, err := f.svc.LegacyCommand(ctx, req)
			if tt.wantError != "" {
				var ir *InvalidRequest
				if !errors.As(err, &ir) || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("err = %v, want an InvalidRequest containing %q", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("command lacks %q: %s", w, line)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(line, w) {
					t.Errorf("command has %q: %s", w, line)
				}
			}
		})
	}
	// A name clash is reported before a bad option, as the console's field validators need.
	_, err := f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "cloud-1", NodeIP: "10.0.2.1", Options: ConsoleOptions{Runtime: "cri-o"}})
	wantField(t, err, FieldName, ReasonInUse, "")
}
