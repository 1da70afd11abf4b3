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
	"os/exec"
	"testing"
)

// SkipOrFail skips the test with the reason, or fails it when $CI is set, where every test must run.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		tb.Fatalf("CI is set, so this is required: %s", msg)
	}
	tb.Skipf("skipping: %s (set CI=1 to make this a failure)", msg)
}

// RequireRoot skips or fails the test unless it runs as root.
func RequireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(tb, "network-namespace tests need root (euid %d)", os.Geteuid())
	}
}

// RequireCommands skips or fails the test unless every command is on $PATH.
func RequireCommands(tb testing.TB, commands ...string) {
	tb.Helper()
	for _, c := range commands {
		if _, err := exec.LookPath(c); err != nil {
			SkipOrFail(tb, "command %s not found (hack/install-deps.sh installs it): %v", c, err)
		}
	}
}
