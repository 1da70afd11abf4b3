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
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// parsePOSIX parses line with a real POSIX shell parser.
func parsePOSIX(line string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(line), "")
}

// simpleCommandArgv parses line and requires exactly one simple command whose words are only
// literals and quotes (no expansion of any kind, no redirection, no assignment, no list), and
// returns its argv as the shell would see it.
func simpleCommandArgv(line string) ([]string, error) {
	f, err := parsePOSIX(line)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", line, err)
	}
	if len(f.Stmts) != 1 {
		return nil, fmt.Errorf("%q: %d statements, want 1", line, len(f.Stmts))
	}
	st := f.Stmts[0]
	if st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 {
		return nil, fmt.Errorf("%q: statement is not a plain command", line)
	}
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 {
		return nil, fmt.Errorf("%q: not a simple command without assignments (%T)", line, st.Cmd)
	}
	for _, w := range call.Args {
		if err := literalWord(w); err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
	}
	return expand.Fields(&expand.Config{}, call.Args...)
}

// literalWord requires a word built only from literal text and quotes.
func literalWord(w *syntax.Word) error {
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
		case *syntax.SglQuoted:
			if p.Dollar {
				return fmt.Errorf("$'...' quoting in word %q", wordText(w))
			}
		case *syntax.DblQuoted:
			for _, inner := range p.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return fmt.Errorf("expansion %T inside double quotes in word %q", inner, wordText(w))
				}
			}
		default:
			return fmt.Errorf("expansion %T in word %q", part, wordText(w))
		}
	}
	return nil
}

// wordText prints a word back as shell source, for messages.
func wordText(w *syntax.Word) string {
	var b strings.Builder
	_ = syntax.NewPrinter().Print(&b, w)
	return b.String()
}

// mustRoundTrip asserts that line, parsed by a real shell parser, yields exactly argv.
func mustRoundTrip(t testing.TB, line string, argv []string) {
	t.Helper()
	got, err := simpleCommandArgv(line)
	if err != nil {
		t.Fatalf("shell parse: %v", err)
	}
	if !equalStrings(got, argv) {
		t.Fatalf("shell argv mismatch for %q:\n got %q\nwant %q", line, got, argv)
	}
}

// equalStrings compares two string slices element by element.
func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
