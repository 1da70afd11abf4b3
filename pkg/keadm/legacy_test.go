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
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// checkLegacyAST walks the parsed one-liner and allows exactly one command substitution
// (`uname -m` in the arch assignment), no expansion other than a plain $arch, and no redirection
// other than >&2.
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
		case *syntax.Redirect:
			if n.Op.String() != ">&" || n.N != nil || n.Word == nil || printNode(n.Word) != "2" {
				err = fmt.Errorf("unexpected redirection %s", n.Op)
			}
		case *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob, *syntax.BraceExp:
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
// `uname -m` prints machine; every other external command is recorded, not run, and succeeds.
// It returns the commands in order and the line's exit error.
func runLegacy(t *testing.T, line, machine string) ([][]string, error) {
	t.Helper()
	f, err := parsePOSIX(line)
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	if err := checkLegacyAST(f); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	var mu sync.Mutex
	var calls [][]string
	runner, err := interp.New(
		interp.Env(expand.ListEnviron()),
		interp.StdIO(nil, io.Discard, io.Discard),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc {
			return func(ctx context.Context, args []string) error {
				hc := interp.HandlerCtx(ctx)
				if slices.Equal(args, []string{"uname", "-m"}) {
					_, err := fmt.Fprintln(hc.Stdout, machine)
					return err
				}
				if args[0] == "sha512sum" && hc.Stdin != nil {
					// The end of a pipeline: wait for the command before it, so calls keep pipeline order.
					_, _ = io.Copy(io.Discard, hc.Stdin)
				}
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, slices.Clone(args))
				return nil
			}
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = runner.Run(context.Background(), f)
	mu.Lock()
	defer mu.Unlock()
	return calls, err
}

// mustRunLegacy is runLegacy for a line that must succeed.
func mustRunLegacy(t *testing.T, line, machine string) [][]string {
	t.Helper()
	calls, err := runLegacy(t, line, machine)
	if err != nil {
		t.Fatalf("run %q: %v", line, err)
	}
	return calls
}

func legacyKeadm(t *testing.T, version string) *Command {
	t.Helper()
	return build(t, Input{Version: version, CloudCore: CloudCore{Host: "192.168.70.130", WebSocketPort: 30000, HTTPSPort: 30002},
		Token: testToken, NodeName: "edge-1", NodeIP: "192.168.70.140"})
}

// mustMirror returns a function that passes on the mirror a constructor built, failing t on an error:
// mustMirror(t)(ParseMirror(spec)).
func mustMirror(t *testing.T) func(Mirror, error) Mirror {
	return func(m Mirror, err error) Mirror {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

// wantDownload is the commands the one-liner runs for one architecture spelling: url and sums are
// fmt patterns with one %s for it, sums empty for an unverified mirror; bin is keadm's path in the tarball.
func wantDownload(version, arch, url, sums, bin string, args []string) [][]string {
	tarball := "keadm-" + version + "-linux-" + arch + ".tar.gz"
	want := [][]string{{"curl", "-fLo", tarball, strings.ReplaceAll(url, "%s", arch)}}
	if sums != "" {
		file := "checksum_" + tarball + ".txt"
		want = append(want, []string{"curl", "-fLo", file, strings.ReplaceAll(sums, "%s", arch)},
			[]string{"awk", "-v", "f=" + tarball, checksumProgram, file}, []string{"sha512sum", "-c", "-"})
	}
	keadm := "./" + strings.ReplaceAll(bin, "%s", arch)
	return append(want, []string{"tar", "-xzf", tarball}, []string{"chmod", "+x", keadm}, append([]string{keadm}, args...))
}

func TestRenderLegacy(t *testing.T) {
	cmd := legacyKeadm(t, "v1.7.2")
	const (
		official     = "https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/keadm-v1.7.2-linux-%s.tar.gz"
		officialSums = "https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/checksum_keadm-v1.7.2-linux-%s.tar.gz.txt"
		officialBin  = "keadm-v1.7.2-linux-%s/keadm/keadm"
		legacyURI    = "https://mirror.example.com/keadm/${arch}/keadm-v1.7.2-linux-$arch.tar.gz"
	)
	kubeedge := map[string]string{"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm"}
	qingstor := map[string]string{"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm"}
	tests := []struct {
		name            string
		mirror          Mirror
		spell           map[string]string
		url, sums, bin  string
		wantWarningText bool
	}{
		{"zero mirror is KubeEdge's", Mirror{}, kubeedge, official, officialSums, officialBin, false},
		{"kubeedge by name", mustMirror(t)(ParseMirror(MirrorSpec{Mirror: MirrorKubeEdge})), kubeedge, official, officialSums, officialBin, false},
		{"region zh", mustMirror(t)(RegionMirror(RegionZH)), qingstor,
			"https://kubeedge.pek3b.qingstor.com/bin/v1.7.2/%s/keadm-v1.7.2-linux-%s.tar.gz", "", "keadm", true},
		{"region en", mustMirror(t)(RegionMirror(RegionEN)), kubeedge,
			"https://github.com/kubesphere/kubeedge/releases/download/v1.7.2-kubesphere/keadm-v1.7.2-linux-%s.tar.gz", "", "keadm", true},
		{"kubesphere-en with checksum none", mustMirror(t)(ParseMirror(MirrorSpec{Mirror: MirrorKubeSphereEN, Checksum: ChecksumNone})), kubeedge,
			"https://github.com/kubesphere/kubeedge/releases/download/v1.7.2-kubesphere/keadm-v1.7.2-linux-%s.tar.gz", "", "keadm", true},
		{"kubeedge with checksum none", mustMirror(t)(ParseMirror(MirrorSpec{Checksum: ChecksumNone})), kubeedge, official, "", officialBin, true},
		{"template with the sibling checksum", mustMirror(t)(ParseMirror(MirrorSpec{
			Mirror: "https://mirror.example.com/kubeedge/{version}/keadm-{version}-linux-{arch}.tar.gz"})), kubeedge,
			"https://mirror.example.com/kubeedge/v1.7.2/keadm-v1.7.2-linux-%s.tar.gz",
			"https://mirror.example.com/kubeedge/v1.7.2/checksum_keadm-v1.7.2-linux-%s.tar.gz.txt", officialBin, false},
		{"template with checksum and binary", mustMirror(t)(ParseMirror(MirrorSpec{
			Mirror:   "http://10.0.0.1:8080/k?v={version}&a={arch}",
			Checksum: "https://sums.example.com/{arch}/{version}.sha512",
			Binary:   "bin/{arch}/keadm-{version}"})), kubeedge,
			"http://10.0.0.1:8080/k?v=v1.7.2&a=%s", "https://sums.example.com/%s/v1.7.2.sha512", "bin/%s/keadm-v1.7.2", false},
		{"uri with region zh", mustMirror(t)(LegacyURIMirror(legacyURI, RegionZH)), qingstor,
			"https://mirror.example.com/keadm/%s/keadm-v1.7.2-linux-%s.tar.gz", "", "keadm", true},
		{"uri without region", mustMirror(t)(LegacyURIMirror(legacyURI, "")), kubeedge,
			"https://mirror.example.com/keadm/%s/keadm-v1.7.2-linux-%s.tar.gz", "", "keadm", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Mirror: tt.mirror, Args: cmd.Argv[1:]})
			if err != nil {
				t.Fatalf("RenderLegacy: %v", err)
			}
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("not one line: %q", line)
			}
			if got := strings.Contains(line, "not verified"); got != tt.wantWarningText || tt.mirror.Verified() == got {
				t.Errorf("warning in the line = %v, Verified() = %v; want warning %v", got, tt.mirror.Verified(), tt.wantWarningText)
			}
			for _, machine := range []string{"x86_64", "aarch64", "arm64", "armv7l"} {
				calls := mustRunLegacy(t, line, machine)
				want := wantDownload("v1.7.2", tt.spell[machine], tt.url, tt.sums, tt.bin, cmd.Argv[1:])
				if !slices.EqualFunc(calls, want, slices.Equal) {
					t.Errorf("%s: commands run:\n%q\nwant\n%q", machine, calls, want)
				}
			}
			for _, machine := range []string{"riscv64", "mips", "i686", "armv6l", "", "x86_64 "} {
				calls, err := runLegacy(t, line, machine)
				var status interp.ExitStatus
				if !errors.As(err, &status) || status == 0 || len(calls) != 0 {
					t.Errorf("machine %q: exit %v, commands %q; want a failure before any command", machine, err, calls)
				}
			}
		})
	}
}

func TestRenderLegacyQuotesURLCharacters(t *testing.T) {
	cmd := legacyKeadm(t, "v1.6.2")
	uri := "https://mirror.example.com/a;b&c'e(f)g*h#i?j=k!l@m,n+o~p[q]r$arch"
	line, err := RenderLegacy(LegacyParams{Version: "v1.6.2", Mirror: mustMirror(t)(LegacyURIMirror(uri, "")), Args: cmd.Argv[1:]})
	if err != nil {
		t.Fatalf("RenderLegacy: %v", err)
	}
	calls := mustRunLegacy(t, line, "x86_64")
	if want := strings.ReplaceAll(uri, "$arch", "amd64"); len(calls) == 0 || calls[0][3] != want {
		t.Fatalf("curl called with %q, want URL %q", calls, want)
	}
	tmpl := "https://mirror.example.com/a;b&c'e(f)g*h/{version}/i!l@m,n+o~p[q]r{arch}"
	m := mustMirror(t)(ParseMirror(MirrorSpec{Mirror: tmpl, Checksum: tmpl + ";sum", Binary: "a+b/{arch}.{version}/-x"}))
	line, err = RenderLegacy(LegacyParams{Version: "v1.6.2", Mirror: m, Args: cmd.Argv[1:]})
	if err != nil {
		t.Fatalf("RenderLegacy: %v", err)
	}
	calls = mustRunLegacy(t, line, "aarch64")
	want := wantDownload("v1.6.2", "arm64", strings.NewReplacer("{version}", "v1.6.2", "{arch}", "%s").Replace(tmpl),
		strings.NewReplacer("{version}", "v1.6.2", "{arch}", "%s").Replace(tmpl+";sum"), "a+b/%s.v1.6.2/-x", cmd.Argv[1:])
	if !slices.EqualFunc(calls, want, slices.Equal) {
		t.Errorf("commands run:\n%q\nwant\n%q", calls, want)
	}
}

func TestRenderLegacyKeepsKeadmArgv(t *testing.T) {
	for _, v := range []string{"v1.6.2", "v1.10.0", "v1.18.0", "v1.23.1"} {
		cmd := legacyKeadm(t, v)
		line, err := RenderLegacy(LegacyParams{Version: v, Args: cmd.Argv[1:]})
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		calls := mustRunLegacy(t, line, "x86_64")
		keadm := "./keadm-" + v + "-linux-amd64/keadm/keadm"
		if got := calls[len(calls)-1]; !slices.Equal(got, append([]string{keadm}, cmd.Argv[1:]...)) {
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
		{"version without v", LegacyParams{Version: "1.7.2", Args: args}, "version"},
		{"version injection", LegacyParams{Version: "v1.7.2;id", Args: args}, "version"},
		{"version out of range", LegacyParams{Version: "v1.5.0", Args: args}, "version"},
		{"no args", LegacyParams{Version: "v1.7.2"}, "args"},
		{"newline arg", LegacyParams{Version: "v1.7.2", Args: []string{"join", "a\nb"}}, "args"},
		{"NUL arg", LegacyParams{Version: "v1.7.2", Args: []string{"join", "a\x00b"}}, "args"},
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
		line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Args: args})
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		calls := mustRunLegacy(t, line, "x86_64")
		if got := calls[len(calls)-1]; !slices.Equal(got, append([]string{"./keadm-v1.7.2-linux-amd64/keadm/keadm"}, args...)) {
			t.Errorf("%q: keadm run as %q, want %q", h, got, args)
		}
	}
}
