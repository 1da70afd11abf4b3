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
	"context"
	"fmt"
	"time"
)

// pollInterval is how often readiness conditions are re-checked.
const pollInterval = 200 * time.Millisecond

// errProcessExited is returned by waitUntil when a watched process exits before the condition holds.
type errProcessExited struct {
	proc *Process
}

// Error implements the error interface.
func (e *errProcessExited) Error() string {
	return fmt.Sprintf("%s exited before it became ready: %v", e.proc.Name, e.proc.ExitError())
}

// waitUntil polls cond until it returns true, the timeout passes, ctx ends, or one of procs exits.
// On timeout the returned error includes cond's last error.
func waitUntil(ctx context.Context, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error), procs ...*Process) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var lastErr error
	for {
		for _, p := range procs {
			if p.Exited() {
				return &errProcessExited{proc: p}
			}
		}
		ok, err := cond(ctx)
		if ok {
			return nil
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return fmt.Errorf("timed out after %s waiting for %s: %w", timeout, what, lastErr)
			}
			return fmt.Errorf("timed out after %s waiting for %s: %w", timeout, what, ctx.Err())
		case <-ticker.C:
		}
	}
}
