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
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// EdgeWatcherBinEnv names the environment variable that points at a prebuilt edgewatcher-apiserver to use instead of building one.
const EdgeWatcherBinEnv = "EDGEWATCHER_APISERVER_BIN"

// buildDirPrefix starts the name of each per-process build directory under os.TempDir().
const buildDirPrefix = "edgewatcher-apiserver-build-"

// edgeWatcherBuild caches the result of building edgewatcher-apiserver in this process.
var edgeWatcherBuild struct {
	once sync.Once
	path string
	err  error
}

// EdgeWatcherBinary returns the edgewatcher-apiserver to run: $EDGEWATCHER_APISERVER_BIN if set, otherwise a binary
// built once per process with `go build ./cmd/edgewatcher-apiserver` in the repository root, so it is never stale.
func EdgeWatcherBinary() (string, error) {
	if p := os.Getenv(EdgeWatcherBinEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", EdgeWatcherBinEnv, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EdgeWatcherBinEnv, p, err)
		}
		return abs, nil
	}
	edgeWatcherBuild.once.Do(func() {
		edgeWatcherBuild.path, edgeWatcherBuild.err = buildEdgeWatcher()
	})
	return edgeWatcherBuild.path, edgeWatcherBuild.err
}

// buildEdgeWatcher compiles ./cmd/edgewatcher-apiserver into a directory private to this process.
func buildEdgeWatcher() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	removeStaleBuildDirs()
	dir := filepath.Join(os.TempDir(), buildDirPrefix+strconv.Itoa(os.Getpid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create build dir: %w", err)
	}
	out := filepath.Join(dir, "edgewatcher-apiserver")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/edgewatcher-apiserver")
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/edgewatcher-apiserver: %w\n%s", err, strings.TrimSpace(string(output)))
	}
	return out, nil
}

// removeStaleBuildDirs deletes build directories left behind by processes that no longer exist.
func removeStaleBuildDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), buildDirPrefix+"*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), buildDirPrefix))
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(d)
		}
	}
}
