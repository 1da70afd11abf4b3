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
)

// TB is the part of testing.TB that the Require helpers use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// RequireBinaries fails the test when etcd, kube-apiserver or kubectl is missing and $CI is set, and skips it
// (saying which binaries are missing and to run `make testbins`) otherwise.
func RequireBinaries(tb TB) {
	tb.Helper()
	requireBinary(tb, "the control-plane binaries", CheckBinaries())
}

// requireBinary fails tb when err is not nil and $CI is set, and skips tb otherwise; what names the binaries.
func requireBinary(tb TB, what string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("CI is set, which requires %s: %v", what, err)
		return
	}
	tb.Skipf("skipping: %v", err)
}

// BinariesForMain is RequireBinaries for a package's TestMain, which has no testing.TB: when etcd,
// kube-apiserver or kubectl is missing it prints why, prefixed with pkg, and returns ok false with the exit code
// for TestMain: 1 when $CI is set, which requires the binaries, and 0 otherwise, skipping what (such as "every
// fault test").
func BinariesForMain(pkg, what string) (ok bool, exitCode int) {
	err := CheckBinaries()
	if err == nil {
		return true, 0
	}
	if os.Getenv("CI") != "" {
		fmt.Fprintf(os.Stderr, "%s: CI is set and the control-plane binaries are required: %v\n", pkg, err)
		return false, 1
	}
	fmt.Fprintf(os.Stderr, "%s: SKIPPING %s: %v\n", pkg, what, err)
	return false, 0
}
