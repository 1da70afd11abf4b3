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
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// shStubCurl serves the files listed in $SERVED/index ("URL<TAB>file" lines) as `curl -fLo FILE URL` would,
// answers any other URL like curl -f answers a 404, and appends each call's argv (NUL-terminated words,
// one call per line) to $CURL_LOG.
const shStubCurl = `#!/bin/sh
{ for a; do printf '%s\0' "$a"; done; printf '\n'; } >> "$CURL_LOG"
if [ "$#" -ne 3 ] || [ "$1" != -fLo ]; then echo "curl stub: want -fLo FILE URL" >&2; exit 2; fi
src=$(awk -F '\t' -v u="$3" '$1 == u { print $2; exit }' "$SERVED/index")
if [ -z "$src" ]; then echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; fi
cat "$SERVED/$src" > "$2"
`

// shStubUname prints $FAKE_MACHINE for `uname -m`.
const shStubUname = `#!/bin/sh
if [ "$#" -ne 1 ] || [ "$1" != -m ]; then echo "uname stub: want -m" >&2; exit 2; fi
printf '%s\n' "$FAKE_MACHINE"
`

// shStubKeadm is the keadm packed into the test tarballs: it records how it was called ($0, then its
// arguments, NUL-terminated) in $KEADM_RECORD.
const shStubKeadm = `#!/bin/sh
{ printf '%s\0' "$0"; for a; do printf '%s\0' "$a"; done; } > "$KEADM_RECORD"
`

// shRealTools are the programs the console line runs that the tests do not stub.
var shRealTools = []string{"tar", "gzip", "sha512sum", "awk", "chmod", "cat"}

// shRig is a private directory in which a console line runs under the real /bin/sh, with nothing on PATH
// but a stub curl and uname and the real shRealTools, so that no command reaches the network.
type shRig struct {
	work, bin, served, curlLog, keadmRecord string
	index                                   strings.Builder
}

func newShRig(t *testing.T) *shRig {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Fatalf("the console line is run with /bin/sh: %v", err)
	}
	dir := t.TempDir()
	r := &shRig{work: filepath.Join(dir, "work"), bin: filepath.Join(dir, "bin"), served: filepath.Join(dir, "served"),
		curlLog: filepath.Join(dir, "curl.log"), keadmRecord: filepath.Join(dir, "keadm.record")}
	for _, d := range []string{r.work, r.bin, r.served} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, script := range map[string]string{"curl": shStubCurl, "uname": shStubUname} {
		if err := os.WriteFile(filepath.Join(r.bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range shRealTools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("the console line needs %s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(r.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// serve makes the stub curl answer url with content.
func (r *shRig) serve(t *testing.T, url string, content []byte) {
	t.Helper()
	name := "f" + string(rune('a'+strings.Count(r.index.String(), "\n")))
	if err := os.WriteFile(filepath.Join(r.served, name), content, 0o644); err != nil {
		t.Fatal(err)
	}
	r.index.WriteString(url + "\t" + name + "\n")
	if err := os.WriteFile(filepath.Join(r.served, "index"), []byte(r.index.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs line with `sh -c` in the work directory, uname -m answering machine.
func (r *shRig) run(t *testing.T, line, machine string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", line)
	cmd.Dir = r.work
	cmd.Env = []string{"PATH=" + r.bin, "HOME=" + r.work, "LC_ALL=C", "SERVED=" + r.served, "CURL_LOG=" + r.curlLog,
		"KEADM_RECORD=" + r.keadmRecord, "FAKE_MACHINE=" + machine}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// curlCalls returns the argv of every curl call, in order.
func (r *shRig) curlCalls(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(r.curlLog)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var calls [][]string
	for _, rec := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		calls = append(calls, strings.Split(strings.TrimSuffix(rec, "\x00"), "\x00"))
	}
	return calls
}

// keadmArgv returns the path and arguments the packed keadm ran with, or nil when it did not run.
func (r *shRig) keadmArgv(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(r.keadmRecord)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// keadmTarball returns a gzipped tarball holding shStubKeadm at exe, with the directories above it and
// a version file next to the top one, as KubeEdge packs it.
func keadmTarball(t *testing.T, exe string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	var dirs []string
	for d := path.Dir(exe); d != "."; d = path.Dir(d) {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
	}
	files := []struct {
		name string
		mode int64
		body string
	}{{exe, 0o755, shStubKeadm}}
	if len(dirs) > 0 {
		files = append(files, struct {
			name string
			mode int64
			body string
		}{dirs[0] + "/version", 0o644, "v1.23.1\n"})
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sha512Line is a checksum file as KubeEdge publishes it: the bare hex and a newline.
func sha512Line(b []byte) []byte {
	sum := sha512.Sum512(b)
	return []byte(hex.EncodeToString(sum[:]) + "\n")
}

// TestConsoleLineUnderSh runs the default console line under the real /bin/sh for each architecture: the
// KubeEdge layout is downloaded, verified with the real sha512sum, unpacked with the real tar, and the keadm
// inside it runs with exactly the generated arguments. An unsupported machine fails before any download.
func TestConsoleLineUnderSh(t *testing.T) {
	args := legacyKeadm(t, "v1.23.1").Argv[1:]
	line, err := RenderLegacy(LegacyParams{Version: "v1.23.1", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	const base = "https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/"
	for machine, arch := range map[string]string{"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm"} {
		t.Run(machine, func(t *testing.T) {
			r := newShRig(t)
			tarball := "keadm-v1.23.1-linux-" + arch + ".tar.gz"
			exe := "keadm-v1.23.1-linux-" + arch + "/keadm/keadm"
			tgz := keadmTarball(t, exe)
			r.serve(t, base+tarball, tgz)
			r.serve(t, base+"checksum_"+tarball+".txt", sha512Line(tgz))
			// The other architectures' tarballs are served too: only this machine's may be fetched.
			for _, other := range []string{"amd64", "arm64", "arm"} {
				if other != arch {
					r.serve(t, base+"keadm-v1.23.1-linux-"+other+".tar.gz", []byte("wrong architecture"))
				}
			}
			stdout, stderr, err := r.run(t, line, machine)
			if err != nil {
				t.Fatalf("sh: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
			}
			wantCurl := [][]string{{"-fLo", tarball, base + tarball}, {"-fLo", "checksum_" + tarball + ".txt", base + "checksum_" + tarball + ".txt"}}
			if got := r.curlCalls(t); !slices.EqualFunc(got, wantCurl, slices.Equal) {
				t.Errorf("curl calls %q, want %q", got, wantCurl)
			}
			if !strings.Contains(stdout, tarball+": OK") {
				t.Errorf("sha512sum did not report the tarball OK: %q", stdout)
			}
			if got, want := r.keadmArgv(t), append([]string{"./" + exe}, args...); !slices.Equal(got, want) {
				t.Errorf("keadm ran as %q, want %q", got, want)
			}
		})
	}
	for _, machine := range []string{"riscv64", "mips", "i686", "armv6l"} {
		t.Run(machine, func(t *testing.T) {
			r := newShRig(t)
			stdout, stderr, err := r.run(t, line, machine)
			if code := exitCode(err); code == 0 {
				t.Fatalf("exit 0 on %s\nstdout: %s", machine, stdout)
			}
			if want := "keadm download: unsupported machine architecture " + machine + " (supported: x86_64, aarch64, arm64, armv7l)\n"; stderr != want {
				t.Errorf("stderr %q, want %q", stderr, want)
			}
			if calls := r.curlCalls(t); calls != nil {
				t.Errorf("downloaded on an unsupported machine: %q", calls)
			}
		})
	}
}

// exitCode is the exit status of a finished command, or -1 when it did not exit by itself.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// TestConsoleLineStopsBeforeKeadm breaks the download in each way the chain must catch: keadm never runs and,
// unless the tarball itself is missing, nothing is unpacked.
func TestConsoleLineStopsBeforeKeadm(t *testing.T) {
	args := legacyKeadm(t, "v1.23.1").Argv[1:]
	line, err := RenderLegacy(LegacyParams{Version: "v1.23.1", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	const (
		url = "https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/keadm-v1.23.1-linux-amd64.tar.gz"
		sum = "https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/checksum_keadm-v1.23.1-linux-amd64.tar.gz.txt"
	)
	tgz := keadmTarball(t, "keadm-v1.23.1-linux-amd64/keadm/keadm")
	forged := keadmTarball(t, "keadm-v1.23.1-linux-amd64/keadm/keadm-forged")
	tests := []struct {
		name        string
		files       map[string][]byte
		wantOutput  string // in stdout or stderr
		wantCurls   int
		wantSuccess bool
	}{
		{"tarball replaced", map[string][]byte{url: forged, sum: sha512Line(tgz)}, "FAILED", 2, false},
		{"checksum of another file", map[string][]byte{url: tgz, sum: sha512Line([]byte("x"))}, "FAILED", 2, false},
		{"empty checksum file", map[string][]byte{url: tgz, sum: nil}, "sha512sum", 2, false},
		{"checksum file is an HTML page", map[string][]byte{url: tgz, sum: []byte("<html>Not Found</html>\n")}, "sha512sum", 2, false},
		{"checksum truncated", map[string][]byte{url: tgz, sum: sha512Line(tgz)[:64]}, "sha512sum", 2, false},
		{"checksum missing", map[string][]byte{url: tgz}, "404", 2, false},
		{"tarball missing", map[string][]byte{sum: sha512Line(tgz)}, "404", 1, false},
		// Control: the checksum in sha512sum's own "hex  name" format is read as well.
		{"checksum with a file name", map[string][]byte{url: tgz, sum: append(bytes.TrimSpace(sha512Line(tgz)), []byte("  keadm-v1.23.1-linux-amd64.tar.gz\n")...)}, "", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newShRig(t)
			for u, b := range tt.files {
				r.serve(t, u, b)
			}
			stdout, stderr, err := r.run(t, line, "x86_64")
			if got := len(r.curlCalls(t)); got != tt.wantCurls {
				t.Errorf("%d curl calls, want %d", got, tt.wantCurls)
			}
			if tt.wantSuccess {
				if err != nil || r.keadmArgv(t) == nil {
					t.Fatalf("sh: %v, keadm ran: %v\nstdout: %s\nstderr: %s", err, r.keadmArgv(t) != nil, stdout, stderr)
				}
				return
			}
			if exitCode(err) <= 0 {
				t.Errorf("exit %v, want a failure", err)
			}
			if !strings.Contains(stdout+stderr, tt.wantOutput) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tt.wantOutput, stdout, stderr)
			}
			if got := r.keadmArgv(t); got != nil {
				t.Errorf("keadm ran as %q", got)
			}
			if _, err := os.Stat(filepath.Join(r.work, "keadm-v1.23.1-linux-amd64")); !os.IsNotExist(err) {
				t.Errorf("the tarball was unpacked: %v", err)
			}
		})
	}
}

// TestConsoleLineOtherMirrorsUnderSh runs the KubeSphere mirrors (keadm at the top of the tarball, no
// checksum, a warning) and a template with its own checksum file and keadm path under the real /bin/sh.
func TestConsoleLineOtherMirrorsUnderSh(t *testing.T) {
	args := legacyKeadm(t, "v1.7.2").Argv[1:]
	tests := []struct {
		name, machine string
		mirror        Mirror
		url, sum, exe string
	}{
		{"region zh on x86_64", "x86_64", mustMirror(t)(RegionMirror(RegionZH)),
			"https://kubeedge.pek3b.qingstor.com/bin/v1.7.2/x86_64/keadm-v1.7.2-linux-x86_64.tar.gz", "", "keadm"},
		{"region zh on aarch64", "aarch64", mustMirror(t)(RegionMirror(RegionZH)),
			"https://kubeedge.pek3b.qingstor.com/bin/v1.7.2/arm64/keadm-v1.7.2-linux-arm64.tar.gz", "", "keadm"},
		{"kubesphere-en with checksum none", "x86_64", mustMirror(t)(ParseMirror(MirrorSpec{Mirror: MirrorKubeSphereEN, Checksum: ChecksumNone})),
			"https://github.com/kubesphere/kubeedge/releases/download/v1.7.2-kubesphere/keadm-v1.7.2-linux-amd64.tar.gz", "", "keadm"},
		{"old uri", "armv7l", mustMirror(t)(LegacyURIMirror("https://m.example.com/k/$arch/keadm.tgz", "")),
			"https://m.example.com/k/arm/keadm.tgz", "", "keadm"},
		{"template", "aarch64", mustMirror(t)(ParseMirror(MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}.tgz",
			Checksum: "https://sums.example.com/{arch}-{version}.sha512", Binary: "bin/{arch}/keadm"})),
			"https://m.example.com/v1.7.2/arm64.tgz", "https://sums.example.com/arm64-v1.7.2.sha512", "bin/arm64/keadm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Mirror: tt.mirror, Args: args})
			if err != nil {
				t.Fatal(err)
			}
			r := newShRig(t)
			tgz := keadmTarball(t, tt.exe)
			r.serve(t, tt.url, tgz)
			if tt.sum != "" {
				r.serve(t, tt.sum, sha512Line(tgz))
			}
			stdout, stderr, err := r.run(t, line, tt.machine)
			if err != nil {
				t.Fatalf("sh: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
			}
			if got, want := r.keadmArgv(t), append([]string{"./" + tt.exe}, args...); !slices.Equal(got, want) {
				t.Errorf("keadm ran as %q, want %q", got, want)
			}
			calls := r.curlCalls(t)
			if len(calls) == 0 || calls[0][2] != tt.url {
				t.Errorf("curl calls %q, want the tarball from %s", calls, tt.url)
			}
			warned := strings.Contains(stderr, "WARNING: the keadm tarball from "+tt.mirror.Name()+" is not verified")
			if tt.sum == "" && (!warned || len(calls) != 1) || tt.sum != "" && (warned || len(calls) != 2) {
				t.Errorf("verified %v: %d downloads, warning %v\nstderr: %s", tt.sum != "", len(calls), warned, stderr)
			}
		})
	}
}

// TestConsoleLineHostileArgsUnderSh passes every hostile value as a keadm argument through the real /bin/sh:
// keadm receives each one unchanged.
func TestConsoleLineHostileArgsUnderSh(t *testing.T) {
	args := []string{"join"}
	for _, h := range hostile {
		if !strings.ContainsAny(h, "\r\n\x00") {
			args = append(args, h, "--edgenode-name="+h)
		}
	}
	m := mustMirror(t)(ParseMirror(MirrorSpec{Mirror: MirrorKubeSphereZH, Checksum: ChecksumNone}))
	line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Mirror: m, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	r := newShRig(t)
	r.serve(t, "https://kubeedge.pek3b.qingstor.com/bin/v1.7.2/x86_64/keadm-v1.7.2-linux-x86_64.tar.gz", keadmTarball(t, "keadm"))
	if stdout, stderr, err := r.run(t, line, "x86_64"); err != nil {
		t.Fatalf("sh: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if got, want := r.keadmArgv(t), append([]string{"./keadm"}, args...); !slices.Equal(got, want) {
		t.Errorf("keadm ran as\n%q\nwant\n%q", got, want)
	}
}

// TestChecksumProgramAlwaysPrintsALine runs checksumProgram under the real awk: the line sha512sum -c reads
// carries the file's first field, and is there even for an empty file, so that a sha512sum which accepts
// empty input (busybox's) still fails instead of checking nothing.
func TestChecksumProgramAlwaysPrintsALine(t *testing.T) {
	awk, err := exec.LookPath("awk")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ file, want string }{
		{"", "  k.tgz\n"},
		{"abc123\n", "abc123  k.tgz\n"},
		{"abc123", "abc123  k.tgz\n"},
		{"abc123  other.tgz\nsecond line\n", "abc123  k.tgz\n"},
		{"\n", "  k.tgz\n"},
	}
	for _, tt := range tests {
		sums := filepath.Join(t.TempDir(), "sums")
		if err := os.WriteFile(sums, []byte(tt.file), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.CommandContext(t.Context(), awk, "-v", "f=k.tgz", checksumProgram, sums).Output()
		if err != nil || string(out) != tt.want {
			t.Errorf("checksum file %q: awk printed %q, %v; want %q", tt.file, out, err, tt.want)
		}
	}
}
