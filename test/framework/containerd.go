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
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ContainerdNamespace is the containerd namespace of the CRI plugin, where the kubelet's images and pods live.
const ContainerdNamespace = "k8s.io"

// Containerd is a private containerd running on an edge host.
type Containerd struct {
	// Layout says where its files and socket are.
	Layout ContainerdLayout
	// Endpoint is the CRI endpoint to give the kubelet: unix://<socket>.
	Endpoint string
	// LogPath is containerd's log.
	LogPath string

	host *EdgeHost
	proc *Process
}

// CheckContainerdTools reports why a private containerd cannot run here: missing commands or CNI plugins.
func CheckContainerdTools() error {
	var missing []string
	for _, c := range []string{"containerd", "containerd-shim-runc-v2", "ctr", "runc", "nsenter", "unshare"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if _, err := os.Stat(filepath.Join(CNIBinDir, "loopback")); err != nil {
		missing = append(missing, filepath.Join(CNIBinDir, "loopback"))
	}
	if _, err := os.Stat(BusyboxPath); err != nil {
		missing = append(missing, BusyboxPath)
	}
	if len(missing) > 0 {
		return fmt.Errorf("not found: %s (hack/install-deps.sh installs containerd, runc, containernetworking-plugins and busybox-static)", strings.Join(missing, ", "))
	}
	return nil
}

// StartContainerd writes a config into dir (see ContainerdConfig), starts containerd on host with it, and waits
// until its socket answers.
func StartContainerd(ctx context.Context, host *EdgeHost, dir, sandboxImage string) (*Containerd, error) {
	layout, err := NewContainerdLayout(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(layout.CNIConf, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(layout.CNIConf, "10-loopback.conflist"), []byte(loopbackCNIConfig), 0o644); err != nil {
		return nil, err
	}
	configPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(configPath, []byte(ContainerdConfig(layout, sandboxImage)), 0o644); err != nil {
		return nil, err
	}
	c := &Containerd{Layout: layout, Endpoint: "unix://" + layout.Socket, LogPath: filepath.Join(dir, "containerd.log"), host: host}
	if c.proc, err = host.Start("containerd", c.LogPath, "containerd", "--config", configPath); err != nil {
		return nil, err
	}
	err = waitUntil(ctx, 30*time.Second, "containerd's socket", func(ctx context.Context) (bool, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, "unix", layout.Socket)
		if err != nil {
			return false, err
		}
		_ = conn.Close()
		return true, nil
	}, c.proc)
	if err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("%w\n%s", err, formatTail("containerd", c.LogPath, 30))
	}
	return c, nil
}

// Ctr runs ctr against this containerd in namespace ns, on the edge host (ctr's FIFOs are under /run), and
// returns its combined output.
func (c *Containerd) Ctr(ctx context.Context, ns string, args ...string) (string, error) {
	bin, argv := c.host.Command("ctr", append([]string{"--address", c.Layout.Socket, "--namespace", ns}, args...)...)
	out, err := exec.CommandContext(ctx, bin, argv...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ctr %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// ImportImage imports an image archive (see BuildOCIArchive) into the CRI plugin's namespace.
func (c *Containerd) ImportImage(ctx context.Context, name string, archive []byte) error {
	path := filepath.Join(c.Layout.Dir, strings.NewReplacer("/", "_", ":", "_").Replace(name)+".tar")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		return err
	}
	if _, err := c.Ctr(ctx, ContainerdNamespace, "images", "import", path); err != nil {
		return fmt.Errorf("importing %s: %w", name, err)
	}
	out, err := c.Ctr(ctx, ContainerdNamespace, "images", "list", "--quiet")
	if err != nil {
		return err
	}
	for l := range strings.Lines(out) {
		if strings.TrimSpace(l) == name {
			return nil
		}
	}
	return fmt.Errorf("image %s not listed after import; images:\n%s", name, out)
}

// Stop kills every task containerd runs, stops containerd, then kills the shims it left (they outlive
// containerd by design), found by the pid files in its state directory.
func (c *Containerd) Stop() error {
	var errs []error
	if c.proc != nil && !c.proc.Exited() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		nss, _ := c.Ctr(ctx, "default", "namespaces", "list", "--quiet")
		for ns := range strings.Lines(nss) {
			ns = strings.TrimSpace(ns)
			tasks, _ := c.Ctr(ctx, ns, "tasks", "list", "--quiet")
			for id := range strings.Lines(tasks) {
				id = strings.TrimSpace(id)
				_, _ = c.Ctr(ctx, ns, "tasks", "kill", "--signal", "SIGKILL", id)
				_, _ = c.Ctr(ctx, ns, "tasks", "delete", "--force", id)
			}
		}
		cancel()
		errs = append(errs, c.proc.Stop(10*time.Second))
	}
	errs = append(errs, killShims(c.Layout.State))
	return errors.Join(errs...)
}

// killShims sends SIGKILL to the shim and container init process of every bundle under state (their pids are in
// shim.pid and init.pid, containerd/containerd@v1.6.20:runtime/v2/bundle.go and runtime/v2/runc).
func killShims(state string) error {
	files, err := filepath.Glob(filepath.Join(state, "io.containerd.runtime.v2.task", "*", "*", "*.pid"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 1 {
			continue
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill %s (pid %d): %w", f, pid, err))
		}
	}
	return errors.Join(errs...)
}

// LogTail returns the last n lines of containerd's log.
func (c *Containerd) LogTail(n int) string {
	return tailFile(c.LogPath, n)
}
