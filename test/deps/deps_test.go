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

// Package deps checks the split between the API server and the node agent: each binary links the heartbeat
// contract (pkg/heartbeat) and nothing of the other.
package deps

import (
	"os/exec"
	"strings"
	"testing"
)

// forbidden lists, per binary, the packages it must not link.
var forbidden = map[string][]string{
	"./cmd/edgewatcher-apiserver": {
		"github.com/edgewatcher/edgewatcher/pkg/syncer",
		"github.com/edgewatcher/edgewatcher/pkg/dataplane",
		"github.com/edgewatcher/edgewatcher/pkg/forwarding",
		"github.com/coreos/go-iptables/iptables",
	},
	"./cmd/edgewatcher-syncer": {
		"github.com/edgewatcher/edgewatcher/pkg/apiserver",
		"github.com/edgewatcher/edgewatcher/pkg/legacy",
		"github.com/edgewatcher/edgewatcher/pkg/join",
		"github.com/edgewatcher/edgewatcher/pkg/coverage",
		"github.com/edgewatcher/edgewatcher/registry/edgenode",
		"k8s.io/apiserver/pkg/server",
	},
}

// required lists what each binary must link: the shared heartbeat contract.
var required = map[string][]string{
	"./cmd/edgewatcher-apiserver": {"github.com/edgewatcher/edgewatcher/pkg/heartbeat"},
	"./cmd/edgewatcher-syncer":    {"github.com/edgewatcher/edgewatcher/pkg/heartbeat", "github.com/coreos/go-iptables/iptables"},
}

func TestBinariesLinkOnlyTheirSide(t *testing.T) {
	for bin, bad := range forbidden {
		t.Run(bin, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", bin)
			cmd.Dir = "../.."
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", bin, err)
			}
			deps := map[string]bool{}
			for _, p := range strings.Fields(string(out)) {
				deps[p] = true
			}
			for _, p := range bad {
				if deps[p] {
					t.Errorf("%s links %s", bin, p)
				}
			}
			for _, p := range required[bin] {
				if !deps[p] {
					t.Errorf("%s does not link %s; the check above would pass vacuously", bin, p)
				}
			}
		})
	}
}
