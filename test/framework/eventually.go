package framework

import "time"

// Eventually polls cond every half second until it holds, and fails tb with cond's last detail after timeout.
func Eventually(tb TB, what string, timeout time.Duration, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s; last: %s", timeout, what, detail)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
