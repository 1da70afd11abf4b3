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

import "time"

// Stats describes what one Apply did, for metrics and tests.
type Stats struct {
	// Entries is the number of destinations programmed.
	Entries int
	// Targets is the number of DNAT targets, one set and one rule each.
	Targets int
	// SetsRebuilt counts sets filled from scratch and swapped in (first sync, restart or drift).
	SetsRebuilt int
	// SetsRead counts existing sets whose content Apply read from the kernel, as it did not know it (restart,
	// failure), to change them by increments instead of rebuilding them.
	SetsRead int
	// EntriesAdded and EntriesRemoved count incremental set changes.
	EntriesAdded, EntriesRemoved int
	// SetsDestroyed counts sets removed because no rule uses them any more.
	SetsDestroyed int
	// SetsPending counts unused sets the kernel still held a reference to; the next Apply retries them.
	SetsPending int
	// ChainsWritten counts iptables-restore transactions (at most one per family).
	ChainsWritten int
	// JumpsInserted and JumpsRemoved count repairs of the jumps from the built-in chains.
	JumpsInserted, JumpsRemoved int
	// SetsPrefilled counts sets swapped in from a Prefill, and PrefillCorrections the entries Apply deleted from
	// or added to them first.
	SetsPrefilled, PrefillCorrections int
	// FillOverlapped is true when the chains and jumps were written while `ipset restore` filled the sets.
	FillOverlapped bool
	// Verified is true when Apply re-read and repaired the kernel state, false when Config.VerifyInterval let it
	// apply only the entry changes.
	Verified bool
	// Duration is how long Apply took.
	Duration time.Duration
}

// Changed reports whether Apply changed anything in the kernel.
func (s Stats) Changed() bool {
	return s.SetsRebuilt+s.EntriesAdded+s.EntriesRemoved+s.SetsDestroyed+s.ChainsWritten+s.JumpsInserted+s.JumpsRemoved > 0
}
