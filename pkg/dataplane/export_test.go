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

import "github.com/edgewatcher/edgewatcher/pkg/forwarding"

// Hooks for the tests of package dataplane_test, which drive a Netfilter against the fake kernel of
// pkg/dataplane/testing (which imports this package) and against the real kernel.

// SetName is setName.
var SetName = setName

// HashSize is hashSize.
var HashSize = hashSize

// SetMaxElem is setMaxElem.
const SetMaxElem = setMaxElem

// EntryText is entryText.
var EntryText = entryText

// Command is Backend.command.
func (b Backend) Command(f forwarding.Family) string { return b.command(f) }

// SetOverlapMinEntries sets the number of entries from which n overlaps its fill with the chain writes.
func (n *Netfilter) SetOverlapMinEntries(min int) { n.overlapMinEntries = min }

// Prefilling reports whether a Prefill is running.
func (n *Netfilter) Prefilling() bool { return n.prefill != nil }

// KillPrefill kills the running Prefill's `ipset restore`.
func (n *Netfilter) KillPrefill() { n.prefill.cancel() }

// RunnerSetReader is runnerSetReader.
var RunnerSetReader = runnerSetReader
