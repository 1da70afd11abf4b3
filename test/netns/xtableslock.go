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

package netns

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// XtablesLockEnv names the lock file iptables-legacy takes instead of the host's /run/xtables.lock.
const XtablesLockEnv = "XTABLES_LOCKFILE"

// RunWithPrivateXtablesLock runs m with XTABLES_LOCKFILE pointing at a fresh temporary file, unless it is set
// already, so that iptables-legacy commands in the tests' namespaces never take, nor wait for, the host's lock.
// Use it from TestMain: os.Exit(netns.RunWithPrivateXtablesLock(m)).
func RunWithPrivateXtablesLock(m *testing.M) int {
	if _, set := os.LookupEnv(XtablesLockEnv); set {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "edgewatcher-xtables-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "private xtables lock: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := os.Setenv(XtablesLockEnv, filepath.Join(dir, "xtables.lock")); err != nil {
		fmt.Fprintf(os.Stderr, "private xtables lock: %v\n", err)
		return 1
	}
	return m.Run()
}
