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

package framework_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

func TestProcessKillAndRerun(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "sleeper.log")
	p, err := framework.StartProcess("sleeper", logPath, "/bin/sh", "-c", "echo up $0; exec sleep 60", "first")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Rerun(); err == nil {
		t.Fatal("Rerun of a running process succeeded, want an error")
	}
	waitForLines(t, p, "up first", 1)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if !p.Exited() || !p.Stopping() || !strings.Contains(p.ExitError().Error(), "killed") {
		t.Fatalf("after Kill: exited %v, stopping %v, %v", p.Exited(), p.Stopping(), p.ExitError())
	}
	again, err := p.Rerun()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Stop(time.Second) })
	if again.Pid() == p.Pid() || again.Exited() {
		t.Fatalf("rerun: pid %d (was %d), exited %v", again.Pid(), p.Pid(), again.Exited())
	}
	waitForLines(t, again, "up first", 2)
}

// waitForLines waits until p's log holds n lines containing line.
func waitForLines(t *testing.T, p *framework.Process, line string, n int) {
	t.Helper()
	framework.Eventually(t, fmt.Sprintf("%d lines %q in the log", n, line), 10*time.Second, func() (bool, string) {
		tail := p.LogTail(10)
		return strings.Count(tail, line) >= n, "\n" + tail
	})
}
