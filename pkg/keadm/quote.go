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
	"strings"
	"unicode/utf8"
)

// Quote returns s as exactly one POSIX shell word that expands back to s.
//
// A word made only of [A-Za-z0-9_@%+:,./-] is left bare, except that a word containing '='
// stays bare only when it starts with '-' (so it can be neither an assignment, "a=b", nor a
// zsh "=cmd" expansion). Everything else is put in single quotes, and a single quote inside
// the value is written as quote, backslash, quote, quote:
//
//	it's  ->  'it'\''s'
//
// Inside single quotes POSIX sh, bash and zsh expand nothing, so ;, $( ), backticks,
// quotes, &&, |, spaces, newlines and non-ASCII text all survive literally. NUL cannot be
// part of a shell word at all; ShellJoin refuses it.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if isBareSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isBareSafe reports whether s needs no quoting at all.
func isBareSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_@%+:,./-", c) >= 0:
		case c == '=' && s[0] == '-':
		default:
			return false
		}
	}
	return true
}

// ShellJoin renders argv as one line of POSIX shell, quoting every word with Quote.
//
// It refuses words that cannot be carried faithfully on one line: NUL (no shell word can hold
// it), CR or LF (the line must stay a single line), and invalid UTF-8 (the line is shown in
// JSON and HTML, which would replace the bytes).
func ShellJoin(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", fmt.Errorf("empty command")
	}
	words := make([]string, len(argv))
	for i, a := range argv {
		if err := checkShellWord(a); err != nil {
			return "", fmt.Errorf("word %d: %w", i, err)
		}
		words[i] = Quote(a)
	}
	return strings.Join(words, " "), nil
}

// checkShellWord rejects what a single-line shell word cannot carry.
func checkShellWord(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	if strings.ContainsAny(s, "\x00\r\n") {
		return fmt.Errorf("%q contains NUL, CR or LF", s)
	}
	return nil
}
