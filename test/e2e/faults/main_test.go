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

// Package faults breaks real processes under load: kube-apiserver and etcd are killed and started again while
// clients list, watch and reserve edge nodes and while edgewatcher-syncer forwards, and an edgewatcher-apiserver
// replica is killed with reservations in flight. Each test proves what survives, what fails and how clearly,
// and how fast everything recovers. Every network address the tests use is on loopback or inside a network
// namespace they create; the host's iptables are never touched.
package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

var (
	cp *framework.ControlPlane
	// ew is the registered replica behind the APIService; it survives every test.
	ew *framework.EdgeWatcher
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if ok, code := framework.BinariesForMain("e2e/faults", "every fault test"); !ok {
		return code
	}
	dir, err := os.MkdirTemp("", "edgewatcher-faults-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/faults: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	// The syncer's iptables children take this lock file instead of the host's /run/xtables.lock.
	if _, set := os.LookupEnv(netns.XtablesLockEnv); !set {
		if err := os.Setenv(netns.XtablesLockEnv, filepath.Join(dir, "xtables.lock")); err != nil {
			fmt.Fprintf(os.Stderr, "e2e/faults: %v\n", err)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cp, err = framework.StartControlPlane(ctx, framework.ControlPlaneOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/faults: starting the control plane: %v\n", err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	if err := framework.SeedKubeEdge(ctx, cp.Client()); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/faults: seeding KubeEdge objects: %v\n", err)
		return 1
	}
	// Expired reservations are deleted at once, so a lapsed reservation disappears within collector periods.
	ew, err = cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{ExtraArgs: []string{"--expired-reservation-retention=0s"}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/faults: starting edgewatcher-apiserver: %v\n", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "----- edgewatcher-apiserver log tail -----\n%s\n%s", ew.LogTail(60), cp.LogTail(40))
	}
	return code
}
