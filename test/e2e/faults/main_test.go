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
	"os"
	"path/filepath"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

var (
	cp *framework.ControlPlane
	// ew is the registered replica behind the APIService; it survives every test.
	ew *framework.EdgeWatcher
)

func TestMain(m *testing.M) {
	os.Exit(framework.ServerPackage{
		Name: "e2e/faults",
		What: "every fault test",
		// The syncer's iptables children take this lock file instead of the host's /run/xtables.lock.
		Setup: func(dir string) error {
			if _, set := os.LookupEnv(netns.XtablesLockEnv); set {
				return nil
			}
			return os.Setenv(netns.XtablesLockEnv, filepath.Join(dir, "xtables.lock"))
		},
		SeedKubeEdge: true,
		// Expired reservations are deleted at once, so a lapsed reservation disappears within collector periods.
		EdgeWatcher: framework.EdgeWatcherOptions{ExtraArgs: []string{"--expired-reservation-retention=0s"}},
	}.Run(m, &cp, &ew))
}
