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
	"net/netip"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "10.0.0.1", want: "10.0.0.1"},
		{in: "0.0.0.0", want: "0.0.0.0"},
		{in: "255.255.255.255", want: "255.255.255.255"},
		{in: "192.0.2.10", want: "192.0.2.10"},
		{in: "::ffff:10.0.0.1", want: "10.0.0.1"},
		{in: "::FFFF:0A00:0001", want: "10.0.0.1"},
		{in: "2001:DB8:0:0:0:0:0:1", want: "2001:db8::1"},
		{in: "2001:0db8::0001", want: "2001:db8::1"},
		{in: "fd00::10", want: "fd00::10"},
		{in: "::1", want: "::1"},
		{in: "", wantErr: "empty"},
		{in: " 10.0.0.1", wantErr: "whitespace"},
		{in: "10.0.0.1\n", wantErr: "whitespace"},
		{in: "10.0.0.1/32", wantErr: "CIDR"},
		{in: "fe80::1%eth0", wantErr: "zone"},
		{in: "010.0.0.1", wantErr: "leading zero"},
		{in: "10.0.0.01", wantErr: "leading zero"},
		{in: "10.1", wantErr: "short forms"},
		{in: "10.0.1", wantErr: "short forms"},
		{in: "167772161", wantErr: "short forms"},
		{in: "0x0a.0.0.1", wantErr: "hexadecimal"},
		{in: "0X0A.0.0.1", wantErr: "hexadecimal"},
		{in: "a.b.c.d", wantErr: "not decimal"},
		{in: "10..0.1", wantErr: "empty field"},
		{in: "10.0.0.256", wantErr: "out of range"},
		{in: "10.0.0.1000", wantErr: "out of range"},
		{in: "1.2.3.4.5", wantErr: "4 dotted-decimal fields"},
		{in: "::ffff:010.0.0.1", wantErr: "embedded IPv4 part field \"010\" has a leading zero"},
		{in: "::ffff:10.1", wantErr: "embedded IPv4 part needs exactly 4"},
		{in: "example.com", wantErr: "unexpected character 'm'"},
		{in: "10.0.0.1;rm", wantErr: "unexpected character ';'"},
		{in: "[::1]", wantErr: "neither"},
		{in: "10.0.0.1:80", wantErr: "neither"},
		{in: "1:2:3:4:5:6:7:8:9", wantErr: "neither"},
		{in: "10.0.0.1\x00", wantErr: `unexpected character '\x00'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Normalize(%q) = %s, want error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Normalize(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, ErrInvalidAddress) {
					t.Errorf("Normalize(%q) error %v does not match ErrInvalidAddress", tt.in, err)
				}
				if !strings.Contains(err.Error(), "IP") || strings.Contains(err.Error(), "name") {
					t.Errorf("Normalize(%q) error %q must say IP and must not say name (console contract)", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%q) error: %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("Normalize(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeTruncatesLongInput(t *testing.T) {
	_, err := Normalize(strings.Repeat("9", 500))
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("error %q should be short and say the input was truncated", err)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "::ffff:10.0.0.1", "010.0.0.1", "fe80::1%eth0", "0x0a.0.0.1", "10.1", " 1.2.3.4", "2001:db8::/32", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Normalize(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidAddress) {
				t.Fatalf("Normalize(%q) error %v does not match ErrInvalidAddress", s, err)
			}
			return
		}
		if !a.IsValid() || a.Is4In6() || a.Zone() != "" {
			t.Fatalf("Normalize(%q) = %v: not a canonical unmapped zoneless address", s, a)
		}
		again, err := Normalize(a.String())
		if err != nil || again != a {
			t.Fatalf("Normalize(Normalize(%q).String()) = %v, %v; want %v", s, again, err, a)
		}
		if b, ok := ParseRecorded(s); !ok || b != a {
			t.Fatalf("ParseRecorded(%q) = %v, %v; want %v (lenient must accept what strict accepts)", s, b, ok, a)
		}
		if strict, err := netip.ParseAddr(s); err != nil || strict.Unmap() != a {
			t.Fatalf("netip.ParseAddr(%q) = %v, %v; Normalize accepted %v", s, strict, err, a)
		}
	})
}
