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
	"fmt"
	"os"
	"path/filepath"
)

// KubeEdgeBinDirEnv names the environment variable that points at KubeEdge binaries built from source, laid out
// as <tag>/bin/<component> (make sets it to _output/kubeedge).
const KubeEdgeBinDirEnv = "KUBEEDGE_BIN_DIR"

// KubeEdgeBinDir returns $KUBEEDGE_BIN_DIR if set, otherwise <repo root>/_output/kubeedge.
func KubeEdgeBinDir() (string, error) {
	if dir := os.Getenv(KubeEdgeBinDirEnv); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "_output", "kubeedge"), nil
}

// KubeEdgeBinPath returns the path of component (keadm, cloudcore or edgecore) of KubeEdge release tag, or an
// error wrapping ErrBinaryMissing that names the make target building it.
func KubeEdgeBinPath(tag, component string) (string, error) {
	dir, err := KubeEdgeBinDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, tag, "bin", component)
	st, err := os.Stat(p)
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%w: %s %s not found or not executable at %s; run `make kubeedge-%s` to build it from "+
			"the KubeEdge source tarball (or set %s)", ErrBinaryMissing, component, tag, p, component, KubeEdgeBinDirEnv)
	}
	return p, nil
}

// RequireKubeEdgeBinary returns the path of component of KubeEdge release tag. When it is missing it fails tb if
// $CI is set and skips tb otherwise, saying how to build it.
func RequireKubeEdgeBinary(tb TB, tag, component string) string {
	tb.Helper()
	p, err := KubeEdgeBinPath(tag, component)
	requireBinary(tb, "KubeEdge "+component+" "+tag, err)
	return p
}
