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
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// KubeEdgeCRDDir returns the directory of KubeEdge release tag's CRDs (build/crds), extracted by
// `make kubeedge-cloudcore`.
func KubeEdgeCRDDir(tag string) (string, error) {
	dir, err := KubeEdgeBinDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, tag, "bin", "crds")
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%w: KubeEdge %s CRDs not found at %s; run `make kubeedge-cloudcore`", ErrBinaryMissing, tag, p)
	}
	// make links it into the build cache; kubectl -R does not walk a symbolic link.
	return filepath.EvalSymlinks(p)
}

// InstallKubeEdgeCRDs applies every CRD of KubeEdge release tag with kubectl and waits until they are Established.
func InstallKubeEdgeCRDs(ctx context.Context, cp *ControlPlane, tag string) error {
	dir, err := KubeEdgeCRDDir(tag)
	if err != nil {
		return err
	}
	if _, stderr, err := cp.Kubectl(ctx, "apply", "--server-side", "-R", "-f", dir); err != nil {
		return fmt.Errorf("kubectl apply the KubeEdge %s CRDs: %w: %s", tag, err, stderr)
	}
	if _, stderr, err := cp.Kubectl(ctx, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"); err != nil {
		return fmt.Errorf("wait for the KubeEdge %s CRDs: %w: %s", tag, err, stderr)
	}
	return nil
}
