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
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// readKeadmSet is a model of how keadm (v1.18+) reads one --set value, written from the
// behaviour described in set.go: split on ',' outside quotes and braces, drop white space
// outside them, keep only pieces that split on '=' into exactly two parts, then type the
// value. It returns the assignments it keeps and the pieces keadm would silently skip.
func readKeadmSet(value string) (map[string]any, []string) {
	var pieces []string
	var cur strings.Builder
	inQuotes, inBraces := false, false
	for _, r := range value {
		switch {
		case r == ',' && !inQuotes && !inBraces:
			if cur.Len() > 0 {
				pieces = append(pieces, cur.String())
			}
			cur.Reset()
		case r == '{' && !inQuotes:
			inBraces = true
			cur.WriteRune(r)
		case r == '}' && !inQuotes:
			inBraces = false
			cur.WriteRune(r)
		case r == '"':
			inQuotes = !inQuotes
			cur.WriteRune(r)
		case !unicode.IsSpace(r) || inQuotes || inBraces:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		pieces = append(pieces, cur.String())
	}
	out := map[string]any{}
	var skipped []string
	for _, p := range pieces {
		kv := strings.Split(p, "=")
		if len(kv) != 2 {
			skipped = append(skipped, p)
			continue
		}
		out[kv[0]] = typeKeadmValue(kv[1])
	}
	return out, skipped
}

// typeKeadmValue types a value the way keadm does: braces, int, float, bool, else string.
func typeKeadmValue(s string) any {
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		return "<list or map " + s + ">"
	}
	if i, err := strconv.Atoi(s); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	return s
}

// wantSet is what an assignment list should mean once keadm has read it.
func wantSet(as []setAssignment) map[string]any {
	out := map[string]any{}
	for _, a := range as {
		if a.kind == setBool {
			out[a.key] = a.value == "true"
		} else {
			out[a.key] = a.value
		}
	}
	return out
}

func TestEncodeSetRoundTrips(t *testing.T) {
	hosts := []string{"10.0.0.5", "192.168.1.10:30004", "[fd00::10]:30004", "fd00::5", "2001:db8::1",
		"tunnel.example.com:443", "inf.example.com:1", "nan:30004", "true.example.com:1", "1.example.com:2"}
	for _, h := range hosts {
		as := []setAssignment{
			{key: setKeyNodeIP, value: h, kind: setString},
			{key: setKeyEdgeStreamEnable, value: "true", kind: setBool},
			{key: setKeyEdgeStreamServer, value: h, kind: setString},
		}
		value, err := encodeSet(as)
		if err != nil {
			t.Fatalf("encodeSet(%q): %v", h, err)
		}
		got, skipped := readKeadmSet(value)
		if len(skipped) > 0 || !maps.Equal(got, wantSet(as)) {
			t.Errorf("encodeSet(%q) = %q, read back as %v (skipped %q), want %v", h, value, got, skipped, wantSet(as))
		}
	}
}

func TestEncodeSetRefusesWhatKeadmWouldMisread(t *testing.T) {
	bad := []setAssignment{
		{key: setKeyNodeIP, value: "", kind: setString},
		{key: setKeyNodeIP, value: "a,b", kind: setString},
		{key: setKeyNodeIP, value: "a=b", kind: setString},
		{key: setKeyNodeIP, value: `"a"`, kind: setString},
		{key: setKeyNodeIP, value: "{a}", kind: setString},
		{key: setKeyNodeIP, value: "a b", kind: setString},
		{key: setKeyNodeIP, value: "a\tb", kind: setString},
		{key: setKeyNodeIP, value: "a\u00a0b", kind: setString},
		{key: setKeyNodeIP, value: "10", kind: setString},
		{key: setKeyNodeIP, value: "1.5", kind: setString},
		{key: setKeyNodeIP, value: "Inf", kind: setString},
		{key: setKeyNodeIP, value: "true", kind: setString},
		{key: setKeyNodeIP, value: "T", kind: setString},
		{key: setKeyEdgeStreamEnable, value: "yes", kind: setBool},
		{key: setKeyEdgeStreamEnable, value: "1", kind: setBool},
	}
	for _, a := range bad {
		if v, err := encodeSet([]setAssignment{a}); err == nil {
			t.Errorf("encodeSet(%s=%q) = %q, want error", a.key, a.value, v)
		}
	}
}

// TestBuiltSetArgumentsRoundTrip reads back the --set of real commands with the model.
func TestBuiltSetArgumentsRoundTrip(t *testing.T) {
	for minor := 18; minor <= MaxMinor; minor++ {
		for _, host := range []string{"192.168.1.10", "fd00::10", "cloudcore.example.com"} {
			in := fullInput(fmt.Sprintf("v1.%d.0", minor))
			in.CloudCore = CloudCore{Host: host, TunnelPort: 30004}
			cmd := build(t, in)
			var value string
			for _, a := range cmd.Argv {
				if v, ok := strings.CutPrefix(a, "--set="); ok {
					value = v
				}
			}
			got, skipped := readKeadmSet(value)
			want := map[string]any{
				setKeyNodeIP:           "10.0.0.5",
				setKeyEdgeStreamEnable: true,
				setKeyEdgeStreamServer: joinHostPortForTest(host, "30004"),
			}
			if len(skipped) > 0 || !maps.Equal(got, want) {
				t.Errorf("v1.%d.0 host %s: --set=%q read back as %v (skipped %q), want %v", minor, host, value, got, skipped, want)
			}
		}
	}
}

func joinHostPortForTest(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}
