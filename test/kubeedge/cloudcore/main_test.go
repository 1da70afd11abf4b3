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

// Package cloudcore_test runs EdgeWatcher against real cloudcore, built from the KubeEdge release sources by
// `make kubeedge-cloudcore`, on the objects cloudcore itself writes.
//
// A "control-plane host" network namespace runs real etcd, kube-apiserver, edgewatcher-apiserver and
// edgewatcher-syncer; two further namespaces each run a real cloudcore with cloudStream enabled. The cloudcores
// create kubeedge/casecret, kubeedge/tokensecret and the multi-cloudcore kubeedge/tunnelport record; the tests
// check that EdgeWatcher's join tokens get edge certificates from them, and that kube-apiserver's requests for an
// edge node reach the stream server of the cloudcore owning the node's tunnel port, through the syncer's DNAT
// only. The edge InternalIPs are routed into a silent link, so nothing else could answer. The host's own
// iptables are never touched (TestMain checks that no trace of the syncer appears there).
package cloudcore_test

import (
	"os"
	"testing"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

var syncerBin string

func TestMain(m *testing.M) {
	os.Exit(framework.NetnsPackage{
		Name: "kubeedge/cloudcore",
		What: "the real-cloudcore tests",
		Prerequisites: func() error {
			if _, err := framework.KubeEdgeBinPath(framework.KubeEdgeCoreTag, "cloudcore"); err != nil {
				return err
			}
			_, err := framework.KubeEdgeCRDDir(framework.KubeEdgeCoreTag)
			return err
		},
	}.Run(m, &syncerBin))
}
