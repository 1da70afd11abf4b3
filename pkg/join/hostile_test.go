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

package join

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

var hostileValues = []string{"; reboot", "$(id)", "`id`", "a'b", `a"b`, "a\nb", "a b", "ünï", "&&", "|", "$HOME", "\\"}

// words parses line with a real shell parser and returns the literal words of its last simple command.
func words(t *testing.T, line string) []string {
	t.Helper()
	f, err := syntax.NewParser().Parse(strings.NewReader(line), "")
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	var out []string
	syntax.Walk(f, func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok {
			out = out[:0]
			for _, w := range call.Args {
				out = append(out, literal(t, w))
			}
		}
		return true
	})
	return out
}

// TestHostileConfigurationNeverReachesTheShell plants hostile values in every input the
// command is built from. Each must be refused with an error naming its source, or end up as
// inert quoted text: the command parses to the same words as its argv.
func TestHostileConfigurationNeverReachesTheShell(t *testing.T) {
	ctx := context.Background()
	accepted, refused := 0, 0
	for _, h := range hostileValues {
		for _, tc := range []struct {
			where  string
			plant  func(f *fixture)
			source string
		}{
			{"advertiseAddress", func(f *fixture) {
				f.state.config.Data["cloudcore.yaml"] = strings.Replace(testCloudCoreYAML, "[192.168.1.10]", "["+yamlQuote(h)+"]", 1)
			}, "ConfigMap kubeedge/cloudcore"},
			{"tokendata", func(f *fixture) {
				f.state.token.Data["tokendata"] = []byte(string(f.state.token.Data["tokendata"]) + h)
			}, "kubeedge/tokensecret"},
			{"legacy version", func(f *fixture) {
				f.state.legacy = f.state.config.DeepCopy()
				f.state.legacy.Data = map[string]string{"version": "v1.7.2" + h}
			}, "edge-watcher-config"},
			{"legacy uri", func(f *fixture) {
				f.state.legacy = f.state.config.DeepCopy()
				f.state.legacy.Data = map[string]string{"uri": "https://example.com/keadm" + h + ".tar.gz"}
			}, "edge-watcher-config"},
			{"legacy mirror", func(f *fixture) {
				f.state.legacy = f.state.config.DeepCopy()
				f.state.legacy.Data = map[string]string{"mirror": "https://example.com/{version}/keadm" + h + "-{arch}.tar.gz"}
			}, "edge-watcher-config"},
			{"legacy mirror checksum", func(f *fixture) {
				f.state.legacy = f.state.config.DeepCopy()
				f.state.legacy.Data = map[string]string{"mirror": "kubeedge", "mirrorChecksum": "https://example.com/{version}/{arch}" + h}
			}, "edge-watcher-config"},
			{"legacy mirror binary", func(f *fixture) {
				f.state.legacy = f.state.config.DeepCopy()
				f.state.legacy.Data = map[string]string{"mirror": "kubeedge", "mirrorBinary": "keadm" + h}
			}, "edge-watcher-config"},
			{"flag image repository", func(f *fixture) { f.svc.Defaults.ImageRepository = "registry.example.com/" + h }, ""},
			{"flag cloudcore address", func(f *fixture) { f.svc.Defaults.CloudCore.Host = h }, ""},
		} {
			f := newFixture(t)
			tc.plant(f)
			yes := true
			line, err := f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-h", NodeIP: "10.0.0.9", DefaultTaint: &yes, Requester: "alice"})
			if err != nil {
				refused++
				if _, isField := AsFieldError(err); isField {
					t.Errorf("%s=%q: reported as a name or IP problem: %v", tc.where, h, err)
				}
				if tc.source != "" && !strings.Contains(err.Error(), tc.source) {
					t.Errorf("%s=%q: error does not name %s: %v", tc.where, h, tc.source, err)
				}
				continue
			}
			accepted++
			f.settle(t, 1) // the console's reservation reaches the tracker through the watch
			res, err := f.svc.Command(ctx, CommandRequest{Reserve: ReserveRequest{NodeName: "edge-h", Requester: "alice"}})
			if err != nil {
				t.Fatalf("%s=%q: the console accepted it but joincommand did not: %v", tc.where, h, err)
			}
			if got := words(t, res.Command.Shell); strings.Join(got, "\x00") != strings.Join(res.Command.Argv, "\x00") {
				t.Errorf("%s=%q: shell words %q, argv %q", tc.where, h, got, res.Command.Argv)
			}
			got := words(t, line)
			if len(got) < 2 || !strings.HasPrefix(got[0], "./") || got[1] != "join" || strings.Join(got[2:], "\x00") != strings.Join(res.Command.Argv[2:], "\x00") {
				t.Errorf("%s=%q: the console line ends with %q", tc.where, h, got)
			}
			if err := onlyArchExpands(mustParse(t, line)); err != nil {
				t.Errorf("%s=%q: %v", tc.where, h, err)
			}
		}
	}
	t.Logf("%d hostile plantings refused with an error, %d accepted as inert text", refused, accepted)
	if accepted == 0 || refused == 0 {
		t.Fatalf("expected both outcomes among %d plantings; accepted %d", accepted+refused, accepted)
	}
}

// literal returns the value of a word made only of literal and quoted parts; any expansion fails the test,
// except the console prelude's "$arch".
func literal(t *testing.T, w *syntax.Word) string {
	t.Helper()
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, in := range p.Parts {
				lit, ok := in.(*syntax.Lit)
				if !ok {
					b.WriteString("<expansion>")
					continue
				}
				b.WriteString(lit.Value)
			}
		default:
			b.WriteString("<expansion>")
		}
	}
	return b.String()
}

// onlyArchExpands checks the console line expands nothing but $arch and its one $(uname -m).
func onlyArchExpands(f *syntax.File) error {
	var err error
	substs := 0
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp:
			if n.Param == nil || n.Param.Value != "arch" || n.Exp != nil || n.Repl != nil || n.Slice != nil || n.Index != nil {
				err = fmt.Errorf("unexpected parameter expansion at %s", n.Pos())
			}
		case *syntax.CmdSubst:
			if substs++; substs > 1 {
				err = fmt.Errorf("a second command substitution at %s", n.Pos())
			}
		case *syntax.ArithmExp, *syntax.ProcSubst, *syntax.BraceExp, *syntax.ExtGlob:
			err = fmt.Errorf("unexpected %T at %s", n, n.Pos())
		}
		return err == nil
	})
	return err
}

func yamlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
