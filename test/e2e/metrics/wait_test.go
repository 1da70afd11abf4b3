package metrics

import (
	"testing"
	"time"
)

// eventually polls cond every half second until it holds, and fails the test with cond's last detail after timeout.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; last: %s", timeout, what, detail)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
