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

// Package syncer tests edgewatcher-syncer end to end: the real binary against a real kube-apiserver and etcd,
// programming a real kernel inside network namespaces the test creates. The syncer process runs in the host's
// namespace, where kube-apiserver listens on loopback, and confines every iptables and ipset command to the
// test's "control-plane host" namespace with its test-only --netns flag; the host's own iptables are never
// touched (TestMain checks that no trace of the syncer appears there).
package syncer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var (
	cp        *framework.ControlPlane
	syncerBin string
)

func TestMain(m *testing.M) {
	os.Exit(framework.NetnsPackage{
		Name:  "e2e/syncer",
		What:  "every syncer end-to-end test",
		Setup: setup,
	}.Run(m, &syncerBin))
}

// setup gives every child a private xtables lock and starts the shared control plane.
func setup(dir string) (func(), error) {
	// iptables-legacy, which cleanup with the auto backend also runs, would take the host's /run/xtables.lock;
	// every child gets a private lock file instead, so no test ever delays the host's own iptables users.
	if _, set := os.LookupEnv(xtablesLockEnv); !set {
		if err := os.Setenv(xtablesLockEnv, filepath.Join(dir, "xtables.lock")); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var err error
	spawn(func() { cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{}) })
	if err != nil {
		return nil, fmt.Errorf("starting the control plane: %w", err)
	}
	return func() { _ = cp.Stop() }, nil
}

// spawnc feeds the spawner thread.
var spawnc = make(chan func())

func init() {
	go func() {
		// Never unlocked: this thread lives as long as the test binary.
		runtime.LockOSThread()
		for fn := range spawnc {
			fn()
		}
	}()
}

// spawn runs fn on a goroutine locked to an OS thread that lives as long as the test binary, and waits for it.
// framework.StartProcess sets Pdeathsig, which the kernel fires when the *thread* that forked the child exits,
// not the process; netns.Do ends the threads it uses, and the Go runtime may have forked from one of them
// earlier. Starting every long-lived child (etcd, kube-apiserver, the syncer) here keeps them alive.
func spawn(fn func()) {
	done := make(chan struct{})
	spawnc <- func() {
		defer close(done)
		fn()
	}
	<-done
}
