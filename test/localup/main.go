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

// Command localup runs a local EdgeWatcher demo: real etcd and kube-apiserver, edgewatcher-apiserver registered
// through the aggregation layer, and seeded KubeEdge demo data; as root, also edgewatcher-syncer forwarding the
// demo edge nodes to a cloudcore stand-in inside private network namespaces. It is what `make run` starts.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// logTailLines is how many log lines are printed when a child process dies.
const logTailLines = 40

// config holds what a run may change; the zero value is `make run`'s.
type config struct {
	// runDir replaces <repo root>/_output/run.
	runDir string
	// netnsPrefix replaces defaultNetnsPrefix in the forwarding demo's namespace names.
	netnsPrefix string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, config{})
	stop()
	os.Exit(code)
}

// session is what start started.
type session struct {
	cp  *framework.ControlPlane
	fwd *forwardingDemo
	env *runEnv
}

// run starts everything, waits for ctx to end or a child to die, stops everything and returns the exit code.
func run(ctx context.Context, cfg config) int {
	s, err := start(ctx, cfg)
	if err != nil {
		_ = s.stop()
		if ctx.Err() != nil {
			logf("interrupted during start-up")
		} else {
			logf("start-up failed: %v", err)
		}
		return 1
	}
	printReady(s.env)

	died := watchChildren(s.processes())
	select {
	case <-ctx.Done():
		logf("signal received; stopping everything")
		if err := s.stop(); err != nil {
			return 1
		}
		logf("stopped; logs are kept in %s", s.cp.Dir)
		return 0
	case p := <-died:
		logf("%s died unexpectedly: %v", p.Name, p.ExitError())
		fmt.Fprintf(os.Stderr, "----- last %d lines of %s -----\n%s\n", logTailLines, p.LogPath, p.LogTail(logTailLines))
		_ = s.stop()
		logf("stopped the remaining processes; logs are kept in %s", s.cp.Dir)
		return 1
	}
}

// start wipes the run directory, starts the control plane and edgewatcher-apiserver, seeds demo data, sets up
// the forwarding demo when it can, and writes the env files. The session it returns, even with an error, has
// to be stopped.
func start(ctx context.Context, cfg config) (*session, error) {
	s := &session{}
	root, err := framework.RepoRoot()
	if err != nil {
		return s, err
	}
	binDir, err := framework.BinDir()
	if err != nil {
		return s, err
	}
	runDir := cfg.runDir
	if runDir == "" {
		runDir = filepath.Join(root, "_output", "run")
	}
	if err := os.RemoveAll(runDir); err != nil {
		return s, fmt.Errorf("wipe %s: %w", runDir, err)
	}
	logf("building edgewatcher-apiserver")
	if _, err := framework.EdgeWatcherBinary(); err != nil {
		return s, err
	}
	cp, err := framework.StartControlPlane(ctx, framework.ControlPlaneOptions{Dir: runDir, KeepDir: true, Logf: logf})
	if err != nil {
		return s, err
	}
	s.cp = cp
	legacyPort, err := framework.FreePort()
	if err != nil {
		return s, err
	}
	legacyAddr := fmt.Sprintf("127.0.0.1:%d", legacyPort)
	logf("starting edgewatcher-apiserver (logs: %s)", filepath.Join(runDir, "edgewatcher-apiserver.log"))
	ew, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{ExtraArgs: []string{
		"--legacy-listen-address=" + legacyAddr,
		"--edge-ip-pool=" + demoEdgeIPPool,
	}})
	if err != nil {
		return s, err
	}
	logf("edgewatcher-apiserver is ready at %s and APIService %s is Available", ew.Addr, framework.APIServiceName)
	if err := framework.SeedDemo(ctx, cp.Client()); err != nil {
		return s, err
	}
	logf("seeded demo data: edge nodes %v, cloud nodes %v, kubeedge/cloudcore, kubeedge/tokensecret", framework.DemoEdgeNodes, framework.DemoCloudNodes)
	token, err := seedConsoleAccess(ctx, cp, root)
	if err != nil {
		return s, err
	}
	s.env = newRunEnv(cp, ew, runDir)
	s.env.legacyAddr, s.env.consoleToken = legacyAddr, token
	if s.fwd, s.env.forwardingOff, err = startForwarding(ctx, cp, root, binDir, cfg.netnsPrefix); err != nil {
		return s, err
	}
	if s.fwd != nil {
		s.env.forwarding = s.fwd.info
	}
	return s, s.env.write(cp, binDir)
}

// processes returns every long-lived child: the control plane's, edgewatcher-apiserver and the syncer.
func (s *session) processes() []*framework.Process {
	procs := s.cp.Processes()
	if s.fwd != nil && s.fwd.syncer != nil {
		procs = append(procs, s.fwd.syncer)
	}
	return procs
}

// stop stops the forwarding demo, then every control-plane process in reverse start order, and reports any error.
func (s *session) stop() error {
	var errs []error
	if s.fwd != nil {
		errs = append(errs, s.fwd.stop())
	}
	if s.cp != nil {
		if err := s.cp.Stop(); err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
	}
	err := errors.Join(errs...)
	if err != nil {
		logf("stopping: %v", err)
	}
	return err
}

// watchChildren returns a channel that receives the first of procs that exits without being asked to stop.
func watchChildren(procs []*framework.Process) <-chan *framework.Process {
	died := make(chan *framework.Process, 1)
	for _, p := range procs {
		go func() {
			<-p.Done()
			if !p.Stopping() {
				select {
				case died <- p:
				default:
				}
			}
		}()
	}
	return died
}

// logf prints a progress line to stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "localup: "+format+"\n", args...)
}
