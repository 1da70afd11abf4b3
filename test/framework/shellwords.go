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

package framework

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// ShellWords parses line with a real POSIX shell parser into the words of one simple command, and fails tb on
// any expansion, substitution, assignment or second statement.
func ShellWords(tb TB, line string) []string {
	tb.Helper()
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(line), "")
	if err != nil {
		tb.Fatalf("parse %q: %v", line, err)
	}
	if len(f.Stmts) != 1 {
		tb.Fatalf("want one statement, got %d in %q", len(f.Stmts), line)
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Assigns) > 0 {
		tb.Fatalf("not a simple command: %q", line)
	}
	words := make([]string, 0, len(call.Args))
	for i, w := range call.Args {
		var b strings.Builder
		for _, part := range w.Parts {
			switch p := part.(type) {
			case *syntax.Lit:
				b.WriteString(p.Value)
			case *syntax.SglQuoted:
				b.WriteString(p.Value)
			default:
				tb.Fatalf("word %d of %q has an expansion (%T)", i, line, part)
			}
		}
		words = append(words, b.String())
	}
	return words
}
