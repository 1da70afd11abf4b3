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

package dataplane

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Cleanup retries destroying a set the kernel still references for up to cleanupSetWait.
const cleanupSetWait = 3 * time.Second

// Cleanup implements Dataplane: it removes the jumps, ChainName in every enabled family and every set whose name
// starts with SetPrefix. It is idempotent.
func (n *Netfilter) Cleanup(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.applied, n.verified = nil, time.Time{}
	n.prefill.abort()
	n.prefill = nil
	var errs []error
	for _, t := range n.families {
		if err := removeJumps(t); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := t.ipt.ClearAndDeleteChain(natTable, ChainName); err != nil {
			errs = append(errs, fmt.Errorf("deleting %s chain %s: %w", t.family, ChainName, err))
		}
	}
	live, err := listSets(ctx, n.runner)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, name := range sortedKeys(live) {
		if err := destroyWithRetry(ctx, n, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeJumps deletes every jump into ChainName from the built-in chains of one family.
func removeJumps(t *familyTables) error {
	for _, b := range builtinChains {
		count, err := countJumps(t, b)
		if err != nil {
			return err
		}
		for ; count > 0; count-- {
			if err := t.ipt.Delete(natTable, b, jumpSpec()...); err != nil {
				return fmt.Errorf("deleting the %s jump from %s: %w", t.family, b, err)
			}
		}
	}
	return nil
}

// destroyWithRetry destroys a set, retrying while the kernel still holds a reference from a deleted rule.
func destroyWithRetry(ctx context.Context, n *Netfilter, name string) error {
	deadline := time.Now().Add(cleanupSetWait)
	for {
		err := destroySet(ctx, n.runner, name)
		if err == nil || !isSetInUse(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
