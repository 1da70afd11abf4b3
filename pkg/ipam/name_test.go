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

package ipam

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateNodeName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{name: "edge-1"},
		{name: "edgenode-a1b2"},
		{name: "edge.site-3.example"},
		{name: "1"},
		{name: strings.Repeat("a", 253)},
		{name: "", wantErr: "empty"},
		{name: "Edge-1", wantErr: "RFC 1123"},
		{name: "edge_1", wantErr: "RFC 1123"},
		{name: "-edge", wantErr: "RFC 1123"},
		{name: "edge-", wantErr: "RFC 1123"},
		{name: "edge..1", wantErr: "RFC 1123"},
		{name: "edge;rm -rf /", wantErr: "RFC 1123"},
		{name: "édge", wantErr: "RFC 1123"},
		{name: strings.Repeat("a", 254), wantErr: "253"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateNodeName(tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateNodeName(%q) = %v", tt.name, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ValidateNodeName(%q) = %v, want ErrInvalidName saying %q", tt.name, err, tt.wantErr)
			}
			if msg := err.Error(); !strings.Contains(msg, "name") || strings.Contains(msg, "IP") {
				t.Errorf("ValidateNodeName(%q) = %q: must say name and never IP (console contract)", tt.name, msg)
			}
		})
	}
}

func FuzzValidateNodeName(f *testing.F) {
	for _, s := range []string{"edge-1", "", "Edge", "a.b", "-", strings.Repeat("a", 254), "IP"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateNodeName(s)
		if err == nil {
			if s == "" || len(s) > 253 || strings.ToLower(s) != s {
				t.Fatalf("ValidateNodeName(%q) accepted an invalid name", s)
			}
			return
		}
		if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), "name") {
			t.Fatalf("ValidateNodeName(%q) = %v", s, err)
		}
	})
}
