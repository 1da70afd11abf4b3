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

package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// result is one kubectl run.
type result struct {
	stdout, stderr string
	code           int
}

// kubectlRun runs the real kubectl with PATH set to pluginDir only and extra environment entries
// (such as KUBECONFIG=...), and returns its output and exit code.
func kubectlRun(t *testing.T, env []string, args ...string) result {
	t.Helper()
	bin, err := framework.BinPath("kubectl")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(baseEnv(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return result{out.String(), errOut.String(), 0}
	case errors.As(err, &exit):
		return result{out.String(), errOut.String(), exit.ExitCode()}
	default:
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
		return result{}
	}
}

// baseEnv is the test's environment with PATH, HOME and KUBECONFIG replaced: the plugin is found only
// in pluginDir (an installed copy cannot shadow it), and no personal configuration is read.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "PATH" && name != "HOME" && name != "KUBECONFIG" {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+pluginDir, "HOME="+homeDir)
}

// asAdmin is the environment that selects the admin kubeconfig the way users usually do, with $KUBECONFIG.
func asAdmin() []string {
	return []string{"KUBECONFIG=" + cp.AdminKubeconfig}
}

// kubectlOK runs kubectl as admin and fails the test unless it exits 0.
func kubectlOK(t *testing.T, args ...string) result {
	t.Helper()
	r := kubectlRun(t, asAdmin(), args...)
	if r.code != 0 {
		t.Fatalf("kubectl %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// kubectlFails runs kubectl as admin and fails the test unless it exits 1 with every part in stderr.
func kubectlFails(t *testing.T, args []string, parts ...string) result {
	t.Helper()
	r := kubectlRun(t, asAdmin(), args...)
	if r.code != 1 {
		t.Fatalf("kubectl %s: exit %d, want 1\nstdout %s\nstderr %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Fatalf("kubectl %s: stderr %q lacks %q", strings.Join(args, " "), r.stderr, p)
		}
	}
	return r
}

// fields splits output into rows of whitespace-separated cells.
func fields(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line != "" {
			rows = append(rows, strings.Fields(line))
		}
	}
	return rows
}

// errorf is fmt.Errorf, for eventually callbacks.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
