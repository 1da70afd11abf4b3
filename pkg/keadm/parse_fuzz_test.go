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
	"net"
	"strconv"
	"testing"
)

// FuzzParseVersion checks that an accepted version is exactly vMAJOR.MINOR.PATCH of a supported release.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"v1.23.1", "1.23.1", "v1.9.2", "v1.023.1", "v1.23.1-rc.1", "v2.0.0", "v1.23.99999999999999999999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if v.String() != s || v.Major != 1 || v.Minor < MinMinor || v.Minor > MaxMinor {
			t.Errorf("ParseVersion(%q) accepted %v", s, v)
		}
	})
}

// FuzzParseHostPort checks that an accepted address is canonical host:port with a port that fits 16 bits.
func FuzzParseHostPort(f *testing.F) {
	for _, s := range []string{"10.0.0.1:10000", "[fd00::1]:10000", "cloudcore.example:443", "10.0.0.1:010000", "10.0.0.1:+1", "fd00::1:10000", "a;b:1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := parseHostPort(s)
		if err != nil {
			return
		}
		if port < 0 || port > 65535 || net.JoinHostPort(host, strconv.Itoa(int(port))) != s || validateHost(host) != nil {
			t.Errorf("parseHostPort(%q) accepted %q, %d", s, host, port)
		}
	})
}
