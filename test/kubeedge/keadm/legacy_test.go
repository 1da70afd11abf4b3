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

package keadm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// keadmArgsOfLegacyLine parses the console's one-line command with a real POSIX shell parser, finds the one
// simple command that runs keadm join (./keadm, or the keadm inside the unpacked release tarball) and returns
// its arguments as the shell would pass them. Every argument must be literal text and quotes: an expansion
// would make the argv depend on the edge host.
func keadmArgsOfLegacyLine(line string) ([]string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(line), "")
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	var calls []*syntax.CallExpr
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 1 && c.Args[1].Lit() == "join" && runsKeadm(c.Args[0]) {
			calls = append(calls, c)
		}
		return true
	})
	if len(calls) != 1 {
		return nil, fmt.Errorf("%d commands run keadm join, want 1", len(calls))
	}
	call := calls[0]
	if len(call.Assigns) > 0 {
		return nil, fmt.Errorf("./keadm runs with variable assignments")
	}
	for _, w := range call.Args[1:] {
		if err := requireLiteral(w); err != nil {
			return nil, err
		}
	}
	return expand.Fields(&expand.Config{}, call.Args[1:]...)
}

// runsKeadm reports whether w, as written, names a keadm binary by a relative path.
func runsKeadm(w *syntax.Word) bool {
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, w); err != nil {
		return false
	}
	return strings.HasPrefix(b.String(), "./") && strings.HasSuffix(b.String(), "keadm")
}

// requireLiteral rejects a word with any expansion: parameter, command, arithmetic, $'...' or glob-free
// literals only.
func requireLiteral(w *syntax.Word) error {
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "*?[") {
				return fmt.Errorf("glob characters in word %q", p.Value)
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				return fmt.Errorf("$'...' quoting in a keadm argument")
			}
		case *syntax.DblQuoted:
			for _, inner := range p.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return fmt.Errorf("expansion %T inside double quotes in a keadm argument", inner)
				}
			}
		default:
			return fmt.Errorf("expansion %T in a keadm argument", part)
		}
	}
	return nil
}

// TestLegacyConsoleCommandParses renders the KubeSphere console's one-liner (keadm.RenderLegacy, as the
// legacy route does with Command.Argv[1:]) for every case and release with KubeEdge's own mirror and both
// KubeSphere mirrors, takes the keadm arguments back out of the shell line and runs them through the real keadm.
func TestLegacyConsoleCommandParses(t *testing.T) {
	t.Parallel()
	for _, release := range releases {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			bin := keadmBinary(t, release)
			for _, c := range joinCases {
				t.Run(c.name, func(t *testing.T) {
					cmd := buildCase(t, c, release)
					if cmd == nil {
						return
					}
					var args []string
					for _, mirror := range mirrors(t) {
						line, err := keadm.RenderLegacy(keadm.LegacyParams{Version: release, Mirror: mirror, Args: cmd.Argv[1:]})
						if err != nil {
							t.Fatalf("RenderLegacy(%s): %v", mirror.Name(), err)
						}
						if args, err = keadmArgsOfLegacyLine(line); err != nil {
							t.Fatalf("%s line %q: %v", mirror.Name(), line, err)
						}
						if !slices.Equal(args, cmd.Argv[1:]) {
							t.Fatalf("%s line %q runs keadm %q, want %q", mirror.Name(), line, args, cmd.Argv[1:])
						}
					}
					// Every mirror's line carries the same words, so one keadm run covers them.
					requireParses(t, bin, args)
				})
			}
		})
	}
}

// mirrors are KubeEdge's release mirror and KubeSphere's two.
func mirrors(t *testing.T) []keadm.Mirror {
	t.Helper()
	out := []keadm.Mirror{keadm.DefaultMirror()}
	for _, r := range []keadm.Region{keadm.RegionEN, keadm.RegionZH} {
		m, err := keadm.RegionMirror(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}
