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
	"bytes"
	"net/netip"
	"strconv"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Every command text below is generated from constants, set names made of hex digits, and netip values printed
// canonically; no input string reaches a command line or a restore file.

// jumpSpec is the rule spec of a jump from a built-in chain into ChainName.
func jumpSpec() []string {
	return []string{"-m", "comment", "--comment", JumpComment, "-j", ChainName}
}

// jumpLine is a jump as `iptables -S <builtin>` prints it.
func jumpLine(builtin string) string {
	return "-A " + builtin + " " + strings.Join(jumpSpec(), " ")
}

// dnatRule is the rule of ChainName that DNATs the members of a target's set, as `iptables -S` prints it.
func dnatRule(ts targetSet) string {
	return "-A " + ChainName + " -p tcp -m set --match-set " + ts.name + " dst,dst -j DNAT --to-destination " + ts.target.String()
}

// chainLines is ChainName's content as `iptables -S ChainName` prints it.
func chainLines(sets []targetSet) []string {
	out := make([]string, 0, 1+len(sets))
	out = append(out, "-N "+ChainName)
	for _, ts := range sets {
		out = append(out, dnatRule(ts))
	}
	return out
}

// restoreInput is the iptables-restore --noflush transaction that replaces ChainName's content: declaring the
// chain flushes it, and the kernel swaps old for new content at COMMIT, so there is no moment without rules.
func restoreInput(sets []targetSet) []byte {
	var b bytes.Buffer
	b.WriteString("*" + natTable + "\n:" + ChainName + " - [0:0]\n")
	for _, ts := range sets {
		b.WriteString(dnatRule(ts) + "\n")
	}
	b.WriteString("COMMIT\n")
	return b.Bytes()
}

// setMaxElem bounds every set; memory is allocated per entry, not up front.
const setMaxElem = 1 << 22

// ipsetScript builds input for `ipset -exist restore`.
type ipsetScript struct {
	bytes.Buffer
	// entries counts the add and del lines.
	entries int
}

// create creates a hash:ip,port set of family f sized for about n entries, holding at most maxElem (a no-op under
// -exist if it exists with that type, family and maxelem; its hash size may differ).
func (s *ipsetScript) create(name string, f forwarding.Family, n, maxElem int) {
	fam := "inet"
	if f == forwarding.IPv6 {
		fam = "inet6"
	}
	s.WriteString("create " + name + " hash:ip,port family " + fam + " hashsize " + strconv.Itoa(hashSize(n)) +
		" maxelem " + strconv.Itoa(maxElem) + "\n")
}

// add adds a destination to a set.
func (s *ipsetScript) add(name string, e netip.AddrPort) { s.entry("add", name, e) }

// del removes a destination from a set.
func (s *ipsetScript) del(name string, e netip.AddrPort) { s.entry("del", name, e) }

// entry writes "<op> <set> <entry>" without allocating: a 100k-entry script is built on every cold sync.
func (s *ipsetScript) entry(op, name string, e netip.AddrPort) {
	s.entries++
	s.WriteString(op)
	s.WriteByte(' ')
	s.WriteString(name)
	s.WriteByte(' ')
	b := e.Addr().AppendTo(s.AvailableBuffer())
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(e.Port()), 10)
	b = append(b, '\n')
	s.Write(b)
}

// rebuild replaces a set's content atomically: it fills a temporary set and swaps it in.
func (s *ipsetScript) rebuild(ts targetSet, maxElem int) {
	tmp := tmpSetName(ts.name)
	s.Grow(len(ts.entries) * (len(tmp) + 32))
	s.create(ts.name, ts.family, len(ts.entries), maxElem)
	s.create(tmp, ts.family, len(ts.entries), maxElem)
	s.WriteString("flush " + tmp + "\n")
	for _, e := range ts.entries {
		s.add(tmp, e)
	}
	s.WriteString("swap " + tmp + " " + ts.name + "\ndestroy " + tmp + "\n")
}

// declare names ts's set with a create line, a no-op under -exist when it exists: ipset then knows the set's
// type from the script itself and batches the lines that follow. Without it, `ipset restore` asks the kernel
// about the set for every line, and adding 100k entries to an existing set takes twice as long.
func (s *ipsetScript) declare(ts targetSet, maxElem int) {
	s.create(ts.name, ts.family, len(ts.entries), maxElem)
}

// correct turns the temporary set filled with pre's entries into ts's set: it deletes the entries ts does not
// have, adds those it lacks, and swaps it with ts's set, which it creates if need be. It returns the number of
// entries deleted and added.
func (s *ipsetScript) correct(pre, ts targetSet) int {
	tmp := tmpSetName(ts.name)
	extra, missing := diffSorted(ts.entries, pre.entries)
	for _, e := range extra {
		s.del(tmp, e)
	}
	for _, e := range missing {
		s.add(tmp, e)
	}
	s.declare(ts, setMaxElem)
	s.WriteString("swap " + tmp + " " + ts.name + "\ndestroy " + tmp + "\n")
	return len(extra) + len(missing)
}

// fill adds every entry of ts to its set.
func (s *ipsetScript) fill(ts targetSet) {
	s.Grow(len(ts.entries) * (len(ts.name) + 32))
	for _, e := range ts.entries {
		s.add(ts.name, e)
	}
}

// hashSize is the initial hash size for n entries: a power of two from 1024 with about 4 entries per bucket,
// so a cold restore does not keep resizing.
func hashSize(n int) int {
	h := 1024
	for h < n/4 && h < 1<<20 {
		h <<= 1
	}
	return h
}

// entryText renders a hash:ip,port entry as "<ip>,<port>", which ipset reads as TCP. Spelling the protocol out
// ("tcp:<port>") makes ipset look the name up in /etc/protocols for every line: a 100k-entry restore took 1.7 s
// that way against 0.42 s without.
func entryText(e netip.AddrPort) string {
	return e.Addr().String() + "," + strconv.Itoa(int(e.Port()))
}

// familyOfSetName returns the family a set name of ours is for, or 0 for a foreign name.
func familyOfSetName(name string) forwarding.Family {
	for _, f := range []forwarding.Family{forwarding.IPv4, forwarding.IPv6} {
		if strings.HasPrefix(name, ownedSetPrefix(f)) {
			return f
		}
	}
	return 0
}
