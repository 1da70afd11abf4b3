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
	"path/filepath"
	"strings"
	"testing"
)

func TestKubeEdgeBinPathHonoursEnvAndExplainsMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(KubeEdgeBinDirEnv, dir)
	_, err := KubeEdgeBinPath("v1.23.1", "keadm")
	if !errors.Is(err, ErrBinaryMissing) {
		t.Fatalf("KubeEdgeBinPath of a missing binary: error %v, want ErrBinaryMissing", err)
	}
	if want := "make kubeedge-keadm"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not mention %q", err, want)
	}
	bin := filepath.Join(dir, "v1.23.1", "bin", "keadm")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := KubeEdgeBinPath("v1.23.1", "keadm"); err != nil || got != bin {
		t.Fatalf("KubeEdgeBinPath = %q, %v; want %q", got, err, bin)
	}
}

// recordingTB records what a Require helper did instead of failing or skipping the real test.
type recordingTB struct {
	fatal, skip string
}

func (r *recordingTB) Helper()                           {}
func (r *recordingTB) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recordingTB) Skipf(format string, args ...any)  { r.skip = fmt.Sprintf(format, args...) }

func TestRequireKubeEdgeBinaryFailsInCIAndSkipsOutside(t *testing.T) {
	t.Setenv(KubeEdgeBinDirEnv, t.TempDir())
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		var tb recordingTB
		RequireKubeEdgeBinary(&tb, "v1.19.2", "keadm")
		got, other := tb.skip, tb.fatal
		if ci != "" {
			got, other = tb.fatal, tb.skip
		}
		if !strings.Contains(got, "make kubeedge-keadm") || other != "" {
			t.Errorf("CI=%q: fatal %q, skip %q; want only the %s, naming make kubeedge-keadm",
				ci, tb.fatal, tb.skip, map[bool]string{true: "failure", false: "skip"}[ci != ""])
		}
	}
}
