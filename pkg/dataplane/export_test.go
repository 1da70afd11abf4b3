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
