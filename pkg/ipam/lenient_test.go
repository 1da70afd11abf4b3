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

import "testing"

func TestParseRecorded(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means not an IP address
	}{
		{"10.0.0.1", "10.0.0.1"},
		{" 10.0.0.1\n", "10.0.0.1"},
		{"010.000.000.001", "10.0.0.1"},
		{"::ffff:10.0.0.1", "10.0.0.1"},
		{"fe80::1%eth0", "fe80::1"},
		{"2001:DB8::1", "2001:db8::1"},
		{"node-1", ""},
		{"node-1.example.com", ""},
		{"10.0.0.0/24", ""},
		{"10.1", ""},
		{"0x0a.0.0.1", ""},
		{"10.0.0.256", ""},
		{"1000.0.0.1", ""},
		{"10..0.1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseRecorded(tt.in)
			if tt.want == "" {
				if ok {
					t.Fatalf("ParseRecorded(%q) = %s, want not an IP", tt.in, got)
				}
				return
			}
			if !ok || got.String() != tt.want {
				t.Fatalf("ParseRecorded(%q) = %v, %v; want %s", tt.in, got, ok, tt.want)
			}
		})
	}
}
