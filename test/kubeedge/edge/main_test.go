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

package edge

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// TestMain checks, when it can (as root with the netfilter tools), that the tests left no trace of the syncer in
// the host's own namespace: every rule they program is inside namespaces they create.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run is TestMain's body, so its deferred removal of the syncer build runs before os.Exit.
func run(m *testing.M) int {
	defer func() {
		if syncerBuild.path != "" {
			_ = os.RemoveAll(filepath.Dir(syncerBuild.path))
		}
	}()
	if framework.CheckNetnsTools() != nil {
		return m.Run() // each test skips (or fails under $CI) on its own
	}
	before, err := framework.HostForwardingTrace()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubeedge/edge: reading the host's nat table and ipsets: %v\n", err)
		return 1
	}
	code := m.Run()
	after, err := framework.HostForwardingTrace()
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "kubeedge/edge: reading the host's nat table and ipsets: %v\n", err)
		code = 1
	case after != before:
		fmt.Fprintf(os.Stderr, "kubeedge/edge: the host's own namespace changed:\nbefore: %q\nafter:  %q\n", before, after)
		code = 1
	}
	return code
}

// syncerBuild holds the edgewatcher-syncer binary, built once per test binary.
var syncerBuild struct {
	once sync.Once
	path string
	err  error
}

// syncerBinary returns edgewatcher-syncer, built on first use (framework.SyncerBinary), or fails the test.
func syncerBinary(t *testing.T) string {
	t.Helper()
	syncerBuild.once.Do(func() {
		var dir string
		if dir, syncerBuild.err = os.MkdirTemp("", "edgewatcher-edge-e2e-"); syncerBuild.err == nil {
			syncerBuild.path, syncerBuild.err = framework.SyncerBinary(dir)
		}
	})
	if syncerBuild.err != nil {
		t.Fatal(syncerBuild.err)
	}
	return syncerBuild.path
}
