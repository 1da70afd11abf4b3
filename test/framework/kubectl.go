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
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
)

// Kubectl runs the real kubectl as the admin user and returns its stdout and stderr; the error includes stderr.
func (cp *ControlPlane) Kubectl(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	return cp.runKubectl(ctx, cp.AdminKubeconfig, nil, args)
}

// KubectlWithStdin runs kubectl as the admin user with stdin as its standard input, e.g. for `apply -f -`.
func (cp *ControlPlane) KubectlWithStdin(ctx context.Context, stdin string, args ...string) (stdout, stderr string, err error) {
	return cp.runKubectl(ctx, cp.AdminKubeconfig, strings.NewReader(stdin), args)
}

// KubectlWithKubeconfig runs kubectl with the given kubeconfig file.
func (cp *ControlPlane) KubectlWithKubeconfig(ctx context.Context, kubeconfig string, args ...string) (stdout, stderr string, err error) {
	return cp.runKubectl(ctx, kubeconfig, nil, args)
}

// KubectlAs runs kubectl as user in groups, using a freshly minted client certificate.
func (cp *ControlPlane) KubectlAs(ctx context.Context, user string, groups []string, args ...string) (stdout, stderr string, err error) {
	kubeconfig, err := cp.KubeconfigFor(user, groups...)
	if err != nil {
		return "", "", err
	}
	return cp.runKubectl(ctx, kubeconfig, nil, args)
}

// KubectlAsWithStdin runs kubectl as user in groups with stdin as its standard input.
func (cp *ControlPlane) KubectlAsWithStdin(ctx context.Context, user string, groups []string, stdin string, args ...string) (stdout, stderr string, err error) {
	kubeconfig, err := cp.KubeconfigFor(user, groups...)
	if err != nil {
		return "", "", err
	}
	return cp.runKubectl(ctx, kubeconfig, strings.NewReader(stdin), args)
}

// runKubectl executes kubectl with --kubeconfig and a private cache dir in front of args, inside the control
// plane's network namespace if it has one.
func (cp *ControlPlane) runKubectl(ctx context.Context, kubeconfig string, stdin io.Reader, args []string) (string, string, error) {
	bin, err := BinPath("kubectl")
	if err != nil {
		return "", "", err
	}
	full := append([]string{"--kubeconfig=" + kubeconfig, "--cache-dir=" + filepath.Join(cp.Dir, "kubectl-cache")}, args...)
	bin, full = commandIn(cp.opts.Netns, bin, full)
	cmd := exec.CommandContext(ctx, bin, full...)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	cmd.Stdin = stdin
	if err := cmd.Run(); err != nil {
		return out.String(), errOut.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), errOut.String(), nil
}
