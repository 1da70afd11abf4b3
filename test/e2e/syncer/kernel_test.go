package syncer

import (
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/kernelstate"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// waitKernel polls the namespace until it forwards exactly want, and returns how long that took.
func waitKernel(t *testing.T, ns *netns.Namespace, step string, timeout time.Duration, want map[string]string) time.Duration {
	t.Helper()
	start := time.Now()
	var last []string
	var raw string
	for time.Since(start) < timeout {
		st, err := kernelstate.Read(ns)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if last = st.Problems(want); len(last) == 0 {
			return time.Since(start)
		}
		raw = st.Raw
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %v:\n  %s\nkernel state:\n%s", step, timeout, strings.Join(last, "\n  "), raw)
	return 0
}
