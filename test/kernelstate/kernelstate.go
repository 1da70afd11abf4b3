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

// Package kernelstate reads back, for end-to-end tests, the forwarding a network namespace's kernel does:
// EdgeWatcher's DNAT rules, jumps and ipsets as iptables-save and ipset save print them, parsed independently of
// the code under test.
package kernelstate

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Families are the address families as the maps below name them.
var Families = []string{"ipv4", "ipv6"}

// NFTSaves are the iptables-save commands of each family for the nf_tables backend.
var NFTSaves = map[string]string{"ipv4": "iptables-nft-save", "ipv6": "ip6tables-nft-save"}

// LegacySaves are the iptables-save commands of each family for the iptables-legacy backend.
var LegacySaves = map[string]string{"ipv4": "iptables-legacy-save", "ipv6": "ip6tables-legacy-save"}

// State is the forwarding a namespace's kernel does.
type State struct {
	// Forwarded maps each destination (edge IP:port) to its DNAT target, counting only sets matched by a rule
	// in our chain of a family that has its jumps from OUTPUT and PREROUTING.
	Forwarded map[string]string
	// Jumps counts our jumps per "<family> <built-in chain>".
	Jumps map[string]int
	// ChainRules counts the rules in our chain per family.
	ChainRules map[string]int
	// Sets are the names of our ipsets.
	Sets []string
	// Raw is what was read, for failure messages.
	Raw string
}

// Read reads the namespace's nat tables (nf_tables backend) and ipsets.
func Read(ns *netns.Namespace) (*State, error) {
	return ReadWith(ns, NFTSaves)
}

// ReadWith reads the namespace's nat tables with the save command of each family (see NFTSaves) and its ipsets.
func ReadWith(ns *netns.Namespace, saves map[string]string) (*State, error) {
	st := &State{Forwarded: map[string]string{}, Jumps: map[string]int{}, ChainRules: map[string]int{}}
	var raw strings.Builder
	setTarget := map[string]string{}
	effective := map[string]bool{}
	for _, fam := range Families {
		out, err := ns.Run(saves[fam], "-t", "nat")
		if err != nil {
			return nil, err
		}
		raw.WriteString(out)
		for l := range strings.Lines(out) {
			f := strings.Fields(l)
			switch {
			case len(f) >= 3 && f[0] == "-A" && f[1] == dataplane.ChainName:
				st.ChainRules[fam]++
				set, target := FieldAfter(f, "--match-set"), FieldAfter(f, "--to-destination")
				if set != "" && target != "" {
					setTarget[set] = target
				}
			case len(f) >= 3 && f[0] == "-A" && strings.Contains(l, "-j "+dataplane.ChainName):
				st.Jumps[fam+" "+f[1]]++
			}
		}
		effective[fam] = st.Jumps[fam+" OUTPUT"] > 0 && st.Jumps[fam+" PREROUTING"] > 0
	}
	out, err := ns.Run("ipset", "save")
	if err != nil {
		return nil, err
	}
	raw.WriteString(out)
	for l := range strings.Lines(out) {
		f := strings.Fields(l)
		switch {
		case len(f) >= 2 && f[0] == "create" && strings.HasPrefix(f[1], dataplane.SetPrefix):
			st.Sets = append(st.Sets, f[1])
		case len(f) >= 3 && f[0] == "add" && strings.HasPrefix(f[1], dataplane.SetPrefix):
			target, ok := setTarget[f[1]]
			fam := "ipv4"
			if strings.HasPrefix(f[1], dataplane.SetPrefix+"6") {
				fam = "ipv6"
			}
			if !ok || !effective[fam] {
				continue
			}
			dest, err := ParseEntry(f[2])
			if err != nil {
				return nil, fmt.Errorf("ipset entry %q: %w", l, err)
			}
			st.Forwarded[dest] = target
		}
	}
	st.Raw = raw.String()
	return st, nil
}

// FieldAfter returns the field following name, or "".
func FieldAfter(fields []string, name string) string {
	if i := slices.Index(fields, name); i >= 0 && i+1 < len(fields) {
		return fields[i+1]
	}
	return ""
}

// ParseEntry turns a hash:ip,port entry such as 10.0.0.1,tcp:10351 into 10.0.0.1:10351 or [fd00::1]:10351.
func ParseEntry(e string) (string, error) {
	ip, port, ok := strings.Cut(e, ",tcp:")
	if !ok {
		return "", fmt.Errorf("not an ip,tcp:port entry")
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", err
	}
	return netip.AddrPortFrom(a, uint16(p)).String(), nil
}

// Problems lists how st differs from forwarding exactly want (destination → target) with exactly one jump
// from each built-in chain in both families.
func (st *State) Problems(want map[string]string) []string {
	return st.EnabledProblems(want, Families...)
}

// EnabledProblems lists how st differs from forwarding exactly want with the given families enabled: one jump
// from each built-in chain in each of them, and none in the others.
func (st *State) EnabledProblems(want map[string]string, families ...string) []string {
	var out []string
	for _, d := range slices.Sorted(maps.Keys(want)) {
		if got, ok := st.Forwarded[d]; !ok {
			out = append(out, fmt.Sprintf("%s is not forwarded, want -> %s", d, want[d]))
		} else if got != want[d] {
			out = append(out, fmt.Sprintf("%s -> %s, want -> %s", d, got, want[d]))
		}
	}
	for _, d := range slices.Sorted(maps.Keys(st.Forwarded)) {
		if _, ok := want[d]; !ok {
			out = append(out, fmt.Sprintf("%s -> %s is forwarded, want it not forwarded", d, st.Forwarded[d]))
		}
	}
	for _, fam := range Families {
		enabled := slices.Contains(families, fam)
		for _, chain := range []string{"OUTPUT", "PREROUTING"} {
			switch n := st.Jumps[fam+" "+chain]; {
			case enabled && n != 1:
				out = append(out, fmt.Sprintf("%d %s jumps from %s, want 1", n, fam, chain))
			case !enabled && n != 0:
				out = append(out, fmt.Sprintf("%d %s jumps from %s, want none (family not enabled)", n, fam, chain))
			}
		}
	}
	return out
}
