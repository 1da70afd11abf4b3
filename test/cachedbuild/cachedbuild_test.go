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

package cachedbuild

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBuild is the build command: it counts its runs in $COUNTER (not part of the key, as the environment is
// not) and writes $CONTENT into $OUT_DIR/tool and $OUT_DIR/share/data.
const fakeBuild = `echo run >>"$COUNTER"; sleep "${SLEEP:-0}"; printf '%s' "$CONTENT" >"$OUT_DIR/tool"; chmod +x "$OUT_DIR/tool"; ` +
	`mkdir "$OUT_DIR/share"; echo data >"$OUT_DIR/share/data"`

type env struct {
	t       *testing.T
	script  string
	cache   string
	counter string
	clone   string // working directory: a fake clone holding the key file tools/go.mod
}

func newEnv(t *testing.T) *env {
	t.Helper()
	script, err := filepath.Abs("../../hack/cached-build.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, script: script, cache: t.TempDir(), counter: filepath.Join(t.TempDir(), "counter")}
	e.clone = e.newClone("module example.com/tools\n")
	return e
}

func (e *env) newClone(gomod string) string {
	e.t.Helper()
	dir := e.t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tools"), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tools", "go.mod"), []byte(gomod), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return dir
}

type result struct {
	entry  string
	stderr string
	err    error
}

// run runs the script from dir with extra arguments before "--" and the fake build writing content.
func (e *env) run(dir, content string, extraEnv []string, args ...string) result {
	e.t.Helper()
	argv := append([]string{e.script, "tool", "-f", "tools/go.mod", "-l", "_output/bin"}, args...)
	argv = append(argv, "--", "bash", "-c", fakeBuild)
	cmd := exec.Command("bash", argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "EDGEWATCHER_BIN_CACHE="+e.cache, "COUNTER="+e.counter, "CONTENT="+content)
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return result{entry: strings.TrimSpace(stdout.String()), stderr: stderr.String(), err: err}
}

// mustRun runs the script and fails the test if it fails.
func (e *env) mustRun(dir, content string, args ...string) string {
	e.t.Helper()
	r := e.run(dir, content, nil, args...)
	if r.err != nil {
		e.t.Fatalf("cached-build.sh failed: %v\n%s", r.err, r.stderr)
	}
	return r.entry
}

func (e *env) builds() int {
	e.t.Helper()
	b, err := os.ReadFile(e.counter)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.Count(string(b), "run\n")
}

// wantTool checks that dir/_output/bin/tool is a symlink into entry and reads content.
func (e *env) wantTool(dir, entry, content string) {
	e.t.Helper()
	link := filepath.Join(dir, "_output", "bin", "tool")
	target, err := os.Readlink(link)
	if err != nil {
		e.t.Fatalf("%s is not a symlink: %v", link, err)
	}
	if target != filepath.Join(entry, "tool") {
		e.t.Errorf("%s -> %s, want %s", link, target, filepath.Join(entry, "tool"))
	}
	got, err := os.ReadFile(link)
	if err != nil || string(got) != content {
		e.t.Errorf("%s reads %q (%v), want %q", link, got, err, content)
	}
	if !strings.HasPrefix(entry, e.cache+string(filepath.Separator)) {
		e.t.Errorf("entry %s is not under the cache %s", entry, e.cache)
	}
}

func TestUnchangedKeyReusesTheEntryFromAnotherClone(t *testing.T) {
	e := newEnv(t)
	// A binary an older Makefile built in place is replaced by the link.
	if err := os.MkdirAll(filepath.Join(e.clone, "_output", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.clone, "_output", "bin", "tool"), []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	entry := e.mustRun(e.clone, "v1")
	if n := e.builds(); n != 1 {
		t.Fatalf("first run built %d times, want 1", n)
	}
	e.wantTool(e.clone, entry, "v1")
	if _, err := os.Stat(filepath.Join(e.clone, "_output", "bin", "share", "data")); err != nil {
		t.Errorf("the output directory share was not linked: %v", err)
	}

	again := e.mustRun(e.clone, "v1")
	other := e.newClone("module example.com/tools\n")
	fromOther := e.mustRun(other, "v1")
	if n := e.builds(); n != 1 {
		t.Errorf("unchanged key rebuilt: %d builds, want 1", n)
	}
	if again != entry || fromOther != entry {
		t.Errorf("entries %s, %s, %s: want one", entry, again, fromOther)
	}
	e.wantTool(other, entry, "v1")
}

func TestChangedKeyRebuilds(t *testing.T) {
	e := newEnv(t)
	first := e.mustRun(e.clone, "v1")

	changed := e.newClone("module example.com/tools\n\nrequire example.com/x v1.0.0\n")
	byFile := e.mustRun(changed, "v2")
	if n := e.builds(); n != 2 {
		t.Fatalf("a changed key file built %d times in all, want 2", n)
	}
	e.wantTool(changed, byFile, "v2")

	byKey := e.mustRun(e.clone, "v3", "-k", "-ldflags=-s")
	if n := e.builds(); n != 3 {
		t.Fatalf("a changed -k built %d times in all, want 3", n)
	}
	e.wantTool(e.clone, byKey, "v3")

	// The command is part of the key: a different command is a different entry.
	r := exec.Command("bash", e.script, "tool", "-f", "tools/go.mod", "--", "bash", "-c", fakeBuild+"; true")
	r.Dir = e.clone
	r.Env = append(os.Environ(), "EDGEWATCHER_BIN_CACHE="+e.cache, "COUNTER="+e.counter, "CONTENT=v4")
	out, err := r.Output()
	if err != nil {
		t.Fatal(err)
	}
	byCommand := strings.TrimSpace(string(out))
	if n := e.builds(); n != 4 {
		t.Fatalf("a changed command built %d times in all, want 4", n)
	}

	// A Go version or platform change is a different entry too (GOOS is read through `go env`).
	byGOOS := e.run(e.clone, "v5", []string{"GOOS=windows"})
	if byGOOS.err != nil {
		t.Fatal(byGOOS.err, byGOOS.stderr)
	}
	if n := e.builds(); n != 5 {
		t.Fatalf("a changed GOOS built %d times in all, want 5", n)
	}

	seen := map[string]bool{}
	for _, entry := range []string{first, byFile, byKey, byCommand, byGOOS.entry} {
		if seen[entry] {
			t.Errorf("entry %s used for two keys", entry)
		}
		seen[entry] = true
	}
	// The first entry is still there and intact: going back to it builds nothing.
	if again := e.mustRun(e.clone, "v1"); again != first || e.builds() != 5 {
		t.Errorf("back to the first key: entry %s (want %s), %d builds (want 5)", again, first, e.builds())
	}
}

func TestCorruptOrPartialEntryIsRebuilt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, entry string)
	}{
		{"changed binary", func(t *testing.T, entry string) {
			if err := os.WriteFile(filepath.Join(entry, "tool"), []byte("v1 but truncated or overwritten"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"missing binary", func(t *testing.T, entry string) {
			if err := os.Remove(filepath.Join(entry, "tool")); err != nil {
				t.Fatal(err)
			}
		}},
		{"changed file in a subdirectory", func(t *testing.T, entry string) {
			if err := os.WriteFile(filepath.Join(entry, "share", "data"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"no manifest (a build that stopped half way)", func(t *testing.T, entry string) {
			if err := os.Remove(filepath.Join(entry, ".manifest.sha256")); err != nil {
				t.Fatal(err)
			}
		}},
		{"empty manifest", func(t *testing.T, entry string) {
			if err := os.WriteFile(filepath.Join(entry, ".manifest.sha256"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			entry := e.mustRun(e.clone, "v1")
			tc.corrupt(t, entry)
			r := e.run(e.clone, "v1", nil)
			if r.err != nil {
				t.Fatalf("%v\n%s", r.err, r.stderr)
			}
			if n := e.builds(); n != 2 {
				t.Errorf("%d builds, want 2 (the corrupt entry rebuilt)", n)
			}
			if !strings.Contains(r.stderr, "incomplete or corrupt") {
				t.Errorf("stderr does not say the entry was corrupt:\n%s", r.stderr)
			}
			if r.entry != entry {
				t.Errorf("rebuilt into %s, want the same key %s", r.entry, entry)
			}
			e.wantTool(e.clone, entry, "v1")
			if again := e.mustRun(e.clone, "v1"); again != entry || e.builds() != 2 {
				t.Errorf("the rebuilt entry is not reused: %s, %d builds", again, e.builds())
			}
		})
	}
}

func TestFailedBuildLeavesNoEntry(t *testing.T) {
	e := newEnv(t)
	good := e.mustRun(e.clone, "v1")

	// A different key whose build fails after writing part of its output.
	cmd := exec.Command("bash", e.script, "tool", "-f", "tools/go.mod", "-k", "broken", "-l", "_output/bin", "--",
		"bash", "-c", `echo partial >"$OUT_DIR/tool"; exit 7`)
	cmd.Dir = e.clone
	cmd.Env = append(os.Environ(), "EDGEWATCHER_BIN_CACHE="+e.cache)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if ok := asExit(err, &exitErr); !ok || exitErr.ExitCode() != 7 {
		t.Fatalf("a failing build exited with %v, want status 7\n%s", err, out)
	}
	// Entries and leftovers of a build (.tmp-*); the .<key>.lock files stay.
	all, err := filepath.Glob(filepath.Join(e.cache, "tool", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, p := range all {
		if !strings.HasSuffix(p, ".lock") {
			entries = append(entries, p)
		}
	}
	if len(entries) != 1 || entries[0] != good {
		t.Errorf("cache holds %v after a failed build, want only %s", entries, good)
	}
	// The link still points at the good entry.
	e.wantTool(e.clone, good, "v1")

	// A build that writes nothing fails too.
	cmd = exec.Command("bash", e.script, "tool", "-k", "empty", "--", "true")
	cmd.Env = append(os.Environ(), "EDGEWATCHER_BIN_CACHE="+e.cache)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("a build writing nothing succeeded:\n%s", out)
	}
}

func asExit(err error, target **exec.ExitError) bool {
	return errors.As(err, target)
}

func TestConcurrentRunsBuildOnce(t *testing.T) {
	e := newEnv(t)
	clones := []string{e.clone, e.newClone("module example.com/tools\n"), e.newClone("module example.com/tools\n")}
	var wg sync.WaitGroup
	results := make([]result, len(clones))
	for i, dir := range clones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.run(dir, "v1", []string{"SLEEP=1"})
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("run %d: %v\n%s", i, r.err, r.stderr)
		}
		e.wantTool(clones[i], results[0].entry, "v1")
	}
	if n := e.builds(); n != 1 {
		t.Errorf("%d concurrent runs built %d times, want 1", len(clones), n)
	}
}

func TestCopyInsteadOfLink(t *testing.T) {
	e := newEnv(t)
	dest := t.TempDir()
	entry := e.mustRun(e.clone, "v1", "-c", dest)
	fi, err := os.Lstat(filepath.Join(dest, "tool"))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		t.Fatalf("-c did not copy an executable file: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "tool")); string(b) != "v1" {
		t.Errorf("copied tool reads %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(entry, ".key")); !strings.Contains(string(b), "file go.mod ") {
		t.Errorf(".key does not record the key file:\n%s", b)
	}
}

func TestUsageErrors(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{},
		{"tool"},
		{"tool", "-f"},
		{"tool", "-x", "y", "--", "true"},
		{"../escape", "--", "true"},
	} {
		cmd := exec.Command("bash", append([]string{e.script}, args...)...)
		cmd.Env = append(os.Environ(), "EDGEWATCHER_BIN_CACHE="+e.cache)
		err := cmd.Run()
		var exitErr *exec.ExitError
		if !asExit(err, &exitErr) || exitErr.ExitCode() != 2 {
			t.Errorf("args %q: %v, want exit status 2", args, err)
		}
	}
}

func TestUnusedEntriesArePruned(t *testing.T) {
	e := newEnv(t)
	stale := e.mustRun(e.clone, "v1", "-k", "stale")
	used := e.mustRun(e.clone, "v1", "-k", "used")
	old := time.Now().Add(-40 * 24 * time.Hour)
	for _, p := range []string{stale, filepath.Join(stale, ".used"), used} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// A build killed long ago left its temporary directory.
	leftover := filepath.Join(e.cache, "tool", ".tmp-0123-killed")
	if err := os.MkdirAll(filepath.Join(leftover, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(leftover, old, old); err != nil {
		t.Fatal(err)
	}

	current := e.mustRun(e.clone, "v2")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("entry %s unused for 40 days is still there (%v)", stale, err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("leftover %s of a killed build is still there (%v)", leftover, err)
	}
	for _, p := range []string{used, current} {
		if _, err := os.Stat(filepath.Join(p, ".manifest.sha256")); err != nil {
			t.Errorf("entry %s used recently was pruned: %v", p, err)
		}
	}
	e.wantTool(e.clone, current, "v2")
}

func TestMessageOnlyWhenBuilding(t *testing.T) {
	e := newEnv(t)
	const msg = "building tool from source, about 1 minute the first time"
	first := e.run(e.clone, "v1", nil, "-m", msg)
	if first.err != nil {
		t.Fatal(first.err, first.stderr)
	}
	if !strings.Contains(first.stderr, "cached-build: "+msg+"\n") {
		t.Errorf("the first run did not announce the build:\n%s", first.stderr)
	}
	again := e.run(e.clone, "v1", nil, "-m", "another message")
	if again.err != nil {
		t.Fatal(again.err, again.stderr)
	}
	if strings.Contains(again.stderr, "another message") {
		t.Errorf("a cached run announced a build:\n%s", again.stderr)
	}
	if again.entry != first.entry || e.builds() != 1 {
		t.Errorf("the message changed the key: entries %s and %s, %d builds", first.entry, again.entry, e.builds())
	}
}
