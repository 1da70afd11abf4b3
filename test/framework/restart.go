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
	"os"
)

// Kill sends SIGKILL, as `kill -9` does, and waits until the process has exited. The exit is expected (Stopping).
func (p *Process) Kill() error {
	p.stopping.Store(true)
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.Name, err)
	}
	<-p.done
	return nil
}

// Rerun starts the same command line again, appending to the same log; p must have exited.
func (p *Process) Rerun() (*Process, error) {
	if !p.Exited() {
		return nil, fmt.Errorf("rerun %s: pid %d is still running", p.Name, p.Pid())
	}
	return StartProcess(p.Name, p.LogPath, p.cmd.Path, p.cmd.Args[1:]...)
}

// KillEtcd kills etcd with SIGKILL and waits for it to exit. Its data directory stays for StartEtcdAgain.
func (cp *ControlPlane) KillEtcd() error {
	return cp.Etcd.Kill()
}

// StartEtcdAgain starts etcd after KillEtcd with the same command line (ports, data directory) and waits until it
// is healthy.
func (cp *ControlPlane) StartEtcdAgain(ctx context.Context) error {
	proc, err := cp.Etcd.Rerun()
	if err != nil {
		return err
	}
	cp.mu.Lock()
	cp.Etcd = proc
	cp.mu.Unlock()
	healthy := func(ctx context.Context) (bool, error) {
		return etcdHealthy(ctx, HTTPClientIn(cp.opts.Netns), cp.EtcdURL)
	}
	if err := waitUntil(ctx, cp.opts.StartTimeout, "etcd /health after a restart", healthy, proc); err != nil {
		return fmt.Errorf("%w\n%s", err, formatTail("etcd log", proc.LogPath, 30))
	}
	return nil
}

// KillKubeAPIServer kills kube-apiserver with SIGKILL and waits for it to exit.
func (cp *ControlPlane) KillKubeAPIServer() error {
	return cp.KubeAPIServer.Kill()
}

// StartKubeAPIServerAgain starts kube-apiserver after KillKubeAPIServer with the same command line (port,
// certificates, etcd) and waits until /readyz is OK.
func (cp *ControlPlane) StartKubeAPIServerAgain(ctx context.Context) error {
	proc, err := cp.KubeAPIServer.Rerun()
	if err != nil {
		return err
	}
	cp.mu.Lock()
	cp.KubeAPIServer = proc
	cp.mu.Unlock()
	ready := func(ctx context.Context) (bool, error) {
		body, err := cp.client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, fmt.Errorf("GET /readyz: %w: %s", err, body)
		}
		return true, nil
	}
	if err := waitUntil(ctx, cp.opts.StartTimeout, "kube-apiserver /readyz after a restart", ready, proc); err != nil {
		return fmt.Errorf("%w\n%s", err, formatTail("kube-apiserver log", proc.LogPath, 40))
	}
	return nil
}
