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

// Package keadm_test runs the `keadm join` commands that pkg/keadm generates through the real keadm of every
// KubeEdge release EdgeWatcher is tested against, built from the release sources by `make kubeedge-keadm`.
//
// `keadm join <flags> --help` exits 0 only if every flag exists and every value parses (cobra parses the
// flags before it honours --help) and does nothing else: no network, no files. A flag that is unknown exits 1
// with "unknown flag"; a deprecated one prints "Flag --x has been deprecated" on stderr. So each generated
// argv must exit 0 with nothing on stderr.
//
// TestJoinWritesEdgeCoreConfig (config_test.go) goes further: the real `keadm join` writes edgecore.yaml in a
// private mount namespace, and the file must hold what the generated flags asked for.
package keadm_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// releases are the KubeEdge releases whose keadm `make kubeedge-keadm` builds (hack/make/kubeedge.mk).
var releases = []string{"v1.23.1", "v1.19.2", "v1.12.7"}

// keadmTimeout bounds one keadm run; --help takes milliseconds.
const keadmTimeout = time.Minute

// result is one finished keadm run.
type result struct {
	stdout, stderr string
	// code is the exit code.
	code int
}

// keadmBinary returns release's keadm, failing the test in CI and skipping it elsewhere when it is not built.
func keadmBinary(t *testing.T, release string) string {
	t.Helper()
	return framework.RequireKubeEdgeBinary(t, release, "keadm")
}

// runKeadm runs bin with args in an empty directory, with an empty HOME and no proxy or kubeconfig settings.
func runKeadm(t *testing.T, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), keadmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "LANG=C"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		r.code = exit.ExitCode()
	default:
		t.Fatalf("run %s %q: %v (stderr %q)", bin, args, err, r.stderr)
	}
	return r
}

// helpOf runs `keadm <args> --help`.
func helpOf(t *testing.T, bin string, args []string) result {
	t.Helper()
	return runKeadm(t, bin, append(slices.Clone(args), "--help")...)
}

// requireParses asserts that real keadm parses args (starting with "join"): --help exits 0, prints the join
// usage and writes nothing on stderr.
func requireParses(t *testing.T, bin string, args []string) {
	t.Helper()
	r := helpOf(t, bin, args)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("keadm %q --help: exit %d, stderr %q; want exit 0 and no stderr", args, r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "keadm join") || !strings.Contains(r.stdout, "--cloudcore-ipport") {
		t.Fatalf("keadm %q --help did not print the join usage:\n%s", args, r.stdout)
	}
}

// TestNegativeControls proves, for each release, that the checks of this package can fail: an unknown flag
// exits non-zero with "unknown flag", a value of the wrong type exits non-zero, and the bare command parses.
func TestNegativeControls(t *testing.T) {
	t.Parallel()
	for _, release := range releases {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			bin := keadmBinary(t, release)
			requireParses(t, bin, []string{"join"})

			r := helpOf(t, bin, []string{"join", "--cloudcore-ipport=192.0.2.10:10000", "--no-such-flag=x"})
			if r.code == 0 || !strings.Contains(r.stderr, "unknown flag: --no-such-flag") {
				t.Errorf("unknown flag: exit %d, stderr %q; want non-zero and \"unknown flag: --no-such-flag\"", r.code, r.stderr)
			}
			// --labels is a string slice, read as CSV: an unterminated quote does not parse.
			r = helpOf(t, bin, []string{"join", `--labels="a=b`})
			if r.code == 0 || !strings.Contains(r.stderr, "invalid argument") {
				t.Errorf("bad --labels value: exit %d, stderr %q; want non-zero and \"invalid argument\"", r.code, r.stderr)
			}
		})
	}
}

// TestFlagTable checks pkg/keadm's flag table against each release: every flag it lists for the release
// parses, every other one is unknown, and a flag warns of deprecation exactly where keadm.Deprecated says so.
func TestFlagTable(t *testing.T) {
	values := map[string]string{
		keadm.FlagWithMQTT:        "false",
		keadm.FlagKubeEdgeVersion: "v1.23.1",
		keadm.FlagLabels:          "a=b",
		keadm.FlagSet:             "modules.edgeStream.enable=true",
	}
	t.Parallel()
	for _, release := range releases {
		t.Run(release, func(t *testing.T) {
			t.Parallel()
			bin := keadmBinary(t, release)
			v, err := keadm.ParseVersion(release)
			if err != nil {
				t.Fatal(err)
			}
			for _, flag := range keadm.Flags() {
				value, ok := values[flag]
				if !ok {
					value = "x"
				}
				r := helpOf(t, bin, []string{"join", "--" + flag + "=" + value})
				switch {
				case !keadm.Supports(v, flag):
					if r.code == 0 || !strings.Contains(r.stderr, "unknown flag: --"+flag) {
						t.Errorf("--%s: exit %d, stderr %q; pkg/keadm says %s lacks it", flag, r.code, r.stderr, release)
					}
				case keadm.Deprecated(v, flag):
					if r.code != 0 || !strings.Contains(r.stderr, "Flag --"+flag+" has been deprecated") {
						t.Errorf("--%s: exit %d, stderr %q; pkg/keadm says %s deprecates it", flag, r.code, r.stderr, release)
					}
				default:
					if r.code != 0 || r.stderr != "" {
						t.Errorf("--%s: exit %d, stderr %q; pkg/keadm says %s has it", flag, r.code, r.stderr, release)
					}
				}
			}
		})
	}
}
