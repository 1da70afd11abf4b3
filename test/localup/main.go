// Command localup runs a local EdgeWatcher demo: real etcd and kube-apiserver, edgewatcher-apiserver registered
// through the aggregation layer, and seeded KubeEdge demo data. It is what `make run` starts.
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

func main() {
	os.Exit(run())
}

// run starts everything, waits for a signal or a child's death, stops everything and returns the exit code.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	env, cp, err := start(ctx)
	if err != nil {
		if cp != nil {
			_ = stopAll(cp)
		}
		if ctx.Err() != nil {
			logf("interrupted during start-up")
		} else {
			logf("start-up failed: %v", err)
		}
		return 1
	}
	printReady(env)

	died := watchChildren(cp)
	select {
	case <-ctx.Done():
		logf("signal received; stopping edgewatcher-apiserver, kube-apiserver and etcd")
		if err := stopAll(cp); err != nil {
			return 1
		}
		logf("stopped; logs are kept in %s", cp.Dir)
		return 0
	case p := <-died:
		logf("%s died unexpectedly: %v", p.Name, p.ExitError())
		fmt.Fprintf(os.Stderr, "----- last %d lines of %s -----\n%s\n", logTailLines, p.LogPath, p.LogTail(logTailLines))
		_ = stopAll(cp)
		logf("stopped the remaining processes; logs are kept in %s", cp.Dir)
		return 1
	}
}

// start wipes _output/run, starts the control plane and edgewatcher-apiserver, seeds demo data and writes the env files.
// On error the returned control plane, if not nil, still has to be stopped.
func start(ctx context.Context) (*runEnv, *framework.ControlPlane, error) {
	root, err := framework.RepoRoot()
	if err != nil {
		return nil, nil, err
	}
	binDir, err := framework.BinDir()
	if err != nil {
		return nil, nil, err
	}
	runDir := filepath.Join(root, "_output", "run")
	if err := os.RemoveAll(runDir); err != nil {
		return nil, nil, fmt.Errorf("wipe %s: %w", runDir, err)
	}
	logf("building edgewatcher-apiserver")
	if _, err := framework.EdgeWatcherBinary(); err != nil {
		return nil, nil, err
	}
	cp, err := framework.StartControlPlane(ctx, framework.ControlPlaneOptions{Dir: runDir, KeepDir: true, Logf: logf})
	if err != nil {
		return nil, nil, err
	}
	legacyPort, err := framework.FreePort()
	if err != nil {
		return nil, cp, err
	}
	legacyAddr := fmt.Sprintf("127.0.0.1:%d", legacyPort)
	logf("starting edgewatcher-apiserver (logs: %s)", filepath.Join(runDir, "edgewatcher-apiserver.log"))
	ew, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{ExtraArgs: []string{
		"--legacy-listen-address=" + legacyAddr,
		"--edge-ip-pool=" + demoEdgeIPPool,
	}})
	if err != nil {
		return nil, cp, err
	}
	logf("edgewatcher-apiserver is ready at %s and APIService %s is Available", ew.Addr, framework.APIServiceName)
	if err := framework.SeedDemo(ctx, cp.Client()); err != nil {
		return nil, cp, err
	}
	logf("seeded demo data: edge nodes %v, cloud nodes %v, kubeedge/cloudcore, kubeedge/tokensecret", framework.DemoEdgeNodes, framework.DemoCloudNodes)
	token, err := seedConsoleAccess(ctx, cp, root)
	if err != nil {
		return nil, cp, err
	}
	env, err := writeEnv(cp, ew, runDir, binDir)
	if err != nil {
		return nil, cp, err
	}
	env.legacyAddr, env.consoleToken = legacyAddr, token
	if err := env.appendConsole(); err != nil {
		return nil, cp, err
	}
	return env, cp, nil
}

// watchChildren returns a channel that receives the first started process that exits without being asked to stop.
func watchChildren(cp *framework.ControlPlane) <-chan *framework.Process {
	died := make(chan *framework.Process, 1)
	for _, p := range cp.Processes() {
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

// stopAll stops every started process in reverse start order and reports any error.
func stopAll(cp *framework.ControlPlane) error {
	err := cp.Stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		logf("stopping: %v", err)
	}
	return err
}

// logf prints a progress line to stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "localup: "+format+"\n", args...)
}
