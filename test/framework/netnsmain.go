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
	"fmt"
	"os"
	"testing"
)

// NetnsPackage is the TestMain of a test package whose tests run edgewatcher-syncer in network namespaces they
// create. Run checks the prerequisites (missing ones skip the package outside CI and fail it under CI), builds
// the syncer, runs the tests, and fails the package if the host's own nat tables or ipsets changed meanwhile.
type NetnsPackage struct {
	// Name prefixes every message, such as "e2e/metrics".
	Name string
	// What names what is skipped when a prerequisite is missing, such as "the logs and metrics end-to-end test".
	What string
	// Prerequisites, if set, is checked after the control-plane binaries and the namespace tools.
	Prerequisites func() error
	// Setup, if set, runs after the syncer is built, with a scratch directory removed at the end; its teardown
	// runs after the tests.
	Setup func(dir string) (teardown func(), err error)
}

// Run runs m as described on NetnsPackage, stores the syncer binary in *syncerBin, and returns the exit code.
func (p NetnsPackage) Run(m *testing.M, syncerBin *string) int {
	if err := p.prerequisites(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "%s: CI is set and this is required: %v\n", p.Name, err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "%s: SKIPPING %s: %v (set CI=1 to make this a failure)\n", p.Name, p.What, err)
		return 0
	}
	before, err := HostForwardingTrace()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: reading the host's nat table and ipsets: %v\n", p.Name, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "edgewatcher-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if *syncerBin, err = SyncerBinary(dir); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		return 1
	}
	code := p.runTests(m, dir)
	after, err := HostForwardingTrace()
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: reading the host's nat table and ipsets: %v\n", p.Name, err)
		code = 1
	case after != before:
		fmt.Fprintf(os.Stderr, "%s: the host's own namespace changed:\nbefore: %q\nafter:  %q\n", p.Name, before, after)
		code = 1
	}
	return code
}

func (p NetnsPackage) prerequisites() error {
	if err := CheckBinaries(); err != nil {
		return err
	}
	if err := CheckNetnsTools(); err != nil {
		return err
	}
	if p.Prerequisites != nil {
		return p.Prerequisites()
	}
	return nil
}

func (p NetnsPackage) runTests(m *testing.M, dir string) int {
	if p.Setup == nil {
		return m.Run()
	}
	teardown, err := p.Setup(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		return 1
	}
	defer teardown()
	return m.Run()
}
