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
	"slices"
)

// liveChain returns ChainName's rules in one family as `iptables -S` prints them, or nil when it does not exist.
func liveChain(t *familyTables) ([]string, error) {
	got, err := t.ipt.List(natTable, ChainName)
	switch {
	case err == nil:
		return got, nil
	case isMissingChain(err):
		return nil, nil
	default:
		return nil, fmt.Errorf("listing %s chain %s: %w", t.family, ChainName, err)
	}
}

// syncChain rewrites ChainName of one family when its live rules differ from sets.
func (n *Netfilter) syncChain(ctx context.Context, t *familyTables, sets []targetSet, live []string, st *Stats) error {
	if live != nil && slices.Equal(live, chainLines(sets)) {
		return nil
	}
	if _, err := n.runner.Run(ctx, restoreInput(sets), t.restore, "--noflush", "--wait", fmt.Sprint(lockWaitSeconds)); err != nil {
		return err
	}
	st.ChainsWritten++
	return nil
}

// keepsEveryRule reports whether the chain for sets still has every rule of live, so that writing it cannot
// unforward anything.
func keepsEveryRule(live []string, sets []targetSet) bool {
	want := chainLines(sets)
	for _, l := range live {
		if !slices.Contains(want, l) {
			return false
		}
	}
	return true
}

// syncJumps ensures exactly one jump into ChainName from each built-in chain of one family.
func (n *Netfilter) syncJumps(t *familyTables, st *Stats) error {
	for _, b := range builtinChains {
		count, err := countJumps(t, b)
		if err != nil {
			return err
		}
		if count == 0 {
			if err := t.ipt.Insert(natTable, b, 1, jumpSpec()...); err != nil {
				return fmt.Errorf("inserting the %s jump from %s: %w", t.family, b, err)
			}
			st.JumpsInserted++
		}
		for ; count > 1; count-- {
			if err := t.ipt.Delete(natTable, b, jumpSpec()...); err != nil {
				return fmt.Errorf("deleting a duplicate %s jump from %s: %w", t.family, b, err)
			}
			st.JumpsRemoved++
		}
	}
	return nil
}

// countJumps counts our jumps in a built-in chain.
func countJumps(t *familyTables, builtin string) (int, error) {
	lines, err := t.ipt.List(natTable, builtin)
	if err != nil {
		return 0, fmt.Errorf("listing %s chain %s: %w", t.family, builtin, err)
	}
	want, count := jumpLine(builtin), 0
	for _, l := range lines {
		if l == want {
			count++
		}
	}
	return count, nil
}

// isMissingChain reports whether err is iptables failing to list a chain that does not exist: exit status 1,
// which iptables-legacy explains as "No chain/target/match by that name" and iptables-nft 1.8.9 as "chain ... is
// incompatible". Either way the restore that follows recreates the chain.
func isMissingChain(err error) bool {
	var e iptablesError
	return errors.As(err, &e) && (e.IsNotExist() || e.ExitStatus() == 1)
}
