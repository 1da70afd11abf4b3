package framework

import (
	"os"
	"testing"
)

// RequireBinaries fails the test when etcd, kube-apiserver or kubectl is missing and $CI is set, and skips it
// (saying which binaries are missing and to run `make testbins`) otherwise.
func RequireBinaries(tb testing.TB) {
	tb.Helper()
	err := CheckBinaries()
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("CI is set and the control-plane binaries are required: %v", err)
	}
	tb.Skipf("skipping: %v", err)
}
