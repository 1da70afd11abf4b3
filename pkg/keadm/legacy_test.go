package keadm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// checkLegacyAST walks the parsed one-liner and allows exactly one command substitution
// (`uname -m` in the arch assignment) and no expansion other than a plain $arch.
func checkLegacyAST(f *syntax.File) error {
	var substs int
	var err error
	syntax.Walk(f, func(n syntax.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *syntax.CmdSubst:
			substs++
			if got := strings.TrimSpace(printNode(n)); got != "$(uname -m)" {
				err = fmt.Errorf("unexpected command substitution %s", got)
			}
		case *syntax.ParamExp:
			if n.Param == nil || n.Param.Value != "arch" || n.Excl || n.Length || n.Width || n.Index != nil ||
				n.Slice != nil || n.Repl != nil || n.Exp != nil {
				err = fmt.Errorf("unexpected parameter expansion %s", printNode(n))
			}
		case *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob, *syntax.BraceExp, *syntax.Redirect:
			err = fmt.Errorf("unexpected %T: %s", n, printNode(n))
		case *syntax.SglQuoted:
			if n.Dollar {
				err = fmt.Errorf("unexpected $'...' quoting")
			}
		}
		return true
	})
	if err == nil && substs != 1 {
		err = fmt.Errorf("%d command substitutions, want exactly 1", substs)
	}
	return err
}

func printNode(n syntax.Node) string {
	var b strings.Builder
	_ = syntax.NewPrinter().Print(&b, n)
	return b.String()
}

// runLegacy executes the one-liner in mvdan's shell interpreter with an empty environment.
// `uname -m` prints machine; every other external command is recorded, not run.
func runLegacy(t *testing.T, line, machine string) [][]string {
	t.Helper()
	f, err := parsePOSIX(line)
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	if err := checkLegacyAST(f); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	var calls [][]string
	runner, err := interp.New(
		interp.Env(expand.ListEnviron()),
		interp.StdIO(nil, io.Discard, io.Discard),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc {
			return func(ctx context.Context, args []string) error {
				if slices.Equal(args, []string{"uname", "-m"}) {
					_, err := fmt.Fprintln(interp.HandlerCtx(ctx).Stdout, machine)
					return err
				}
				calls = append(calls, slices.Clone(args))
				return nil
			}
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.Run(context.Background(), f); err != nil {
		t.Fatalf("run %q: %v", line, err)
	}
	return calls
}

func legacyKeadm(t *testing.T, version string) *Command {
	t.Helper()
	return build(t, Input{Version: version, CloudCore: CloudCore{Host: "192.168.70.130", WebSocketPort: 30000, HTTPSPort: 30002},
		Token: testToken, NodeName: "edge-1", NodeIP: "192.168.70.140"})
}

func TestRenderLegacy(t *testing.T) {
	cmd := legacyKeadm(t, "v1.7.2")
	keadm := append([]string{"./keadm"}, cmd.Argv[1:]...)
	tests := []struct {
		name, region, uri, machine string
		wantURL, wantTar           string
	}{
		{"zh default", "zh", "", "x86_64",
			"https://kubeedge.pek3b.qingstor.com/bin/v1.7.2/x86_64/keadm-v1.7.2-linux-x86_64.tar.gz", "keadm-v1.7.2-linux-x86_64.tar.gz"},
		{"en default amd64", "en", "", "x86_64",
			"https://github.com/kubesphere/kubeedge/releases/download/v1.7.2-kubesphere/keadm-v1.7.2-linux-amd64.tar.gz",
			"keadm-v1.7.2-linux-amd64.tar.gz"},
		{"en default arm64", "en", "", "aarch64",
			"https://github.com/kubesphere/kubeedge/releases/download/v1.7.2-kubesphere/keadm-v1.7.2-linux-arm64.tar.gz",
			"keadm-v1.7.2-linux-arm64.tar.gz"},
		{"uri override", "en", "https://mirror.example.com/keadm/${arch}/keadm-v1.7.2-linux-$arch.tar.gz", "x86_64",
			"https://mirror.example.com/keadm/amd64/keadm-v1.7.2-linux-amd64.tar.gz", "keadm-v1.7.2-linux-amd64.tar.gz"},
		{"uri with shell-special URL characters", "zh", "https://mirror.example.com/k;id&x='$(q)'*#frag?a=b", "x86_64",
			"", "keadm-v1.7.2-linux-x86_64.tar.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Region: Region(tt.region), URI: tt.uri, Args: cmd.Argv[1:]})
			if err != nil {
				// The last case must be refused for its "$(": only $arch may expand.
				if strings.Contains(tt.uri, "$(") {
					return
				}
				t.Fatalf("RenderLegacy: %v", err)
			}
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("not one line: %q", line)
			}
			calls := runLegacy(t, line, tt.machine)
			want := [][]string{{"curl", "-fLO", tt.wantURL}, {"tar", "xvf", tt.wantTar}, {"chmod", "+x", "keadm"}, keadm}
			if len(calls) != len(want) {
				t.Fatalf("commands run: %q, want %q", calls, want)
			}
			for i := range want {
				if !slices.Equal(calls[i], want[i]) {
					t.Errorf("command %d = %q, want %q", i, calls[i], want[i])
				}
			}
		})
	}
}

func TestRenderLegacyQuotesURLCharacters(t *testing.T) {
	cmd := legacyKeadm(t, "v1.6.2")
	uri := "https://mirror.example.com/a;b&c'e(f)g*h#i?j=k!l@m,n+o$arch"
	line, err := RenderLegacy(LegacyParams{Version: "v1.6.2", Region: RegionZH, URI: uri, Args: cmd.Argv[1:]})
	if err != nil {
		t.Fatalf("RenderLegacy: %v", err)
	}
	calls := runLegacy(t, line, "x86_64")
	if want := strings.ReplaceAll(uri, "$arch", "x86_64"); len(calls) == 0 || calls[0][2] != want {
		t.Fatalf("curl called with %q, want URL %q", calls, want)
	}
}

func TestRenderLegacyKeepsKeadmArgv(t *testing.T) {
	for _, v := range []string{"v1.6.2", "v1.10.0", "v1.18.0", "v1.23.1"} {
		cmd := legacyKeadm(t, v)
		line, err := RenderLegacy(LegacyParams{Version: v, Region: RegionEN, Args: cmd.Argv[1:]})
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		calls := runLegacy(t, line, "x86_64")
		if got := calls[len(calls)-1]; !slices.Equal(got, append([]string{"./keadm"}, cmd.Argv[1:]...)) {
			t.Errorf("%s: keadm run as %q, want %q", v, got, cmd.Argv)
		}
	}
}

func TestRenderLegacyRejects(t *testing.T) {
	args := legacyKeadm(t, "v1.7.2").Argv[1:]
	tests := []struct {
		name  string
		p     LegacyParams
		field string
	}{
		{"version without v", LegacyParams{Version: "1.7.2", Region: RegionZH, Args: args}, "version"},
		{"version injection", LegacyParams{Version: "v1.7.2;id", Region: RegionZH, Args: args}, "version"},
		{"region", LegacyParams{Version: "v1.7.2", Region: "cn", Args: args}, "region"},
		{"region injection", LegacyParams{Version: "v1.7.2", Region: "zh;id", Args: args}, "region"},
		{"command substitution", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/$(id)", Args: args}, "uri"},
		{"backticks", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/`id`", Args: args}, "uri"},
		{"other variable", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/$HOME", Args: args}, "uri"},
		{"arch prefix of a longer name", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/$archive", Args: args}, "uri"},
		{"space", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/a b", Args: args}, "uri"},
		{"newline", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/a\nb", Args: args}, "uri"},
		{"double quote", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: `https://x.example.com/a"b`, Args: args}, "uri"},
		{"non-ASCII", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://x.example.com/雪", Args: args}, "uri"},
		{"scheme", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "ftp://x.example.com/k.tgz", Args: args}, "uri"},
		{"relative", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "/k.tgz", Args: args}, "uri"},
		{"credentials", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://u:p@x.example.com/k.tgz", Args: args}, "uri"},
		{"arch in host", LegacyParams{Version: "v1.7.2", Region: RegionZH, URI: "https://$arch.example.com/k.tgz", Args: args}, "uri"},
		{"no args", LegacyParams{Version: "v1.7.2", Region: RegionZH}, "args"},
		{"newline arg", LegacyParams{Version: "v1.7.2", Region: RegionZH, Args: []string{"join", "a\nb"}}, "args"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := RenderLegacy(tt.p)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("RenderLegacy = %q, %v; want a FieldError for %q", line, err, tt.field)
			}
		})
	}
}

func TestRenderLegacyHostileArgsStayArguments(t *testing.T) {
	for _, h := range hostile {
		if strings.ContainsAny(h, "\r\n\x00") {
			continue
		}
		args := []string{"join", "--edgenode-name=" + h, h}
		line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Region: RegionEN, Args: args})
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		calls := runLegacy(t, line, "x86_64")
		if got := calls[len(calls)-1]; !slices.Equal(got, append([]string{"./keadm"}, args...)) {
			t.Errorf("%q: keadm run as %q, want %q", h, got, args)
		}
	}
}
