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
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile are values that must never change the meaning of a shell line.
var hostile = []string{
	";", "a;b", "$(id)", "`id`", "'", "a'b", `"`, `a"b`, "\n", "a\nb", " ", "a b", "&&", "a&&b", "|", "a|b",
	"ü", "雪", "$HOME", "${x}", "\\", "*", "?", "[a]", "{a,b}", "~", "~root", "#", "a#b", "!", "!!", "<", ">", "(", ")",
	"=", "=ls", "a=b", "PATH=/x", "-", "--", "--x=$(id)", "\t", "''", `'\''`, "\x01", "%", "@",
}

func TestQuote(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "", want: "''"},
		{in: "keadm", want: "keadm"},
		{in: "--cloudcore-ipport=192.168.1.10:10000", want: "--cloudcore-ipport=192.168.1.10:10000"},
		{in: "--labels=a=b,c=d", want: "--labels=a=b,c=d"},
		{in: "unix:///run/containerd/containerd.sock", want: "unix:///run/containerd/containerd.sock"},
		{in: "a=b", want: "'a=b'"},
		{in: "=ls", want: "'=ls'"},
		{in: "a b", want: "'a b'"},
		{in: "it's", want: `'it'\''s'`},
		{in: "$(id)", want: "'$(id)'"},
		{in: "--cloudcore-ipport=[fd00::1]:10000", want: "'--cloudcore-ipport=[fd00::1]:10000'"},
		{in: "~", want: "'~'"},
		{in: "雪", want: "'雪'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestShellJoinRoundTripsHostileWords(t *testing.T) {
	for _, h := range hostile {
		argv := []string{"keadm", "join", h, "--x=" + h, h + "tail", "head" + h}
		line, err := ShellJoin(argv)
		if strings.ContainsAny(h, "\r\n\x00") {
			if err == nil {
				t.Errorf("ShellJoin(%q) = %q, want an error for CR/LF/NUL", argv, line)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ShellJoin(%q): %v", argv, err)
		}
		mustRoundTrip(t, line, argv)
	}
}

func TestShellJoinRefuses(t *testing.T) {
	tests := []struct {
		name string
		argv []string
	}{
		{name: "empty", argv: nil},
		{name: "NUL", argv: []string{"keadm", "a\x00b"}},
		{name: "LF", argv: []string{"keadm", "a\nb"}},
		{name: "CR", argv: []string{"keadm", "a\rb"}},
		{name: "invalid UTF-8", argv: []string{"keadm", "a\xffb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if line, err := ShellJoin(tt.argv); err == nil {
				t.Fatalf("ShellJoin(%q) = %q, want error", tt.argv, line)
			}
		})
	}
}

// FuzzCommandRoundTrip checks that any words ShellJoin accepts parse back, word for word,
// with a real POSIX shell parser, and that it refuses only what a line cannot carry.
func FuzzCommandRoundTrip(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, "--x="+h)
	}
	f.Add("", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		argv := []string{"keadm", "join", a, b}
		line, err := ShellJoin(argv)
		carryable := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\r\n") }
		if !carryable(a) || !carryable(b) {
			if err == nil {
				t.Fatalf("ShellJoin(%q) accepted an uncarryable word: %q", argv, line)
			}
			return
		}
		if err != nil {
			t.Fatalf("ShellJoin(%q): %v", argv, err)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("ShellJoin(%q) is not one line: %q", argv, line)
		}
		mustRoundTrip(t, line, argv)
	})
}
