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

// KubectlOptions says whom kubectl runs as and what it reads; the zero value is the admin user and no input.
type KubectlOptions struct {
	// Kubeconfig is the kubeconfig file to use; empty means the admin's, or User's when User is set.
	Kubeconfig string
	// User, when set, runs kubectl as this user with a freshly minted client certificate.
	User string
	// Groups are User's groups.
	Groups []string
	// Stdin is kubectl's standard input, e.g. for `apply -f -`; empty means none.
	Stdin string
}

// Kubectl runs the real kubectl as the admin user and returns its stdout and stderr; the error includes stderr.
func (cp *ControlPlane) Kubectl(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	return cp.KubectlWith(ctx, KubectlOptions{}, args...)
}

// KubectlWith runs the real kubectl as o says and returns its stdout and stderr; the error includes stderr.
func (cp *ControlPlane) KubectlWith(ctx context.Context, o KubectlOptions, args ...string) (stdout, stderr string, err error) {
	kubeconfig := o.Kubeconfig
	switch {
	case kubeconfig != "" && o.User != "":
		return "", "", fmt.Errorf("kubectl %s: set Kubeconfig or User, not both", strings.Join(args, " "))
	case o.User != "":
		if kubeconfig, err = cp.KubeconfigFor(o.User, o.Groups...); err != nil {
			return "", "", err
		}
	case kubeconfig == "":
		kubeconfig = cp.AdminKubeconfig
	}
	var stdin io.Reader
	if o.Stdin != "" {
		stdin = strings.NewReader(o.Stdin)
	}
	return cp.runKubectl(ctx, kubeconfig, stdin, args)
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
