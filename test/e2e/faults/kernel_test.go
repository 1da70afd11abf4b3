package faults

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

// kernelState is the IPv4 forwarding a namespace's kernel does, read back with iptables-nft-save and ipset save
// independently of the code under test.
type kernelState struct {
	// forwarded maps each destination (edge IP:port) in one of our sets that a DNAT rule of our chain matches
	// to the rule's target.
	forwarded map[string]string
	// jumps counts our jumps per built-in chain.
	jumps map[string]int
	// raw is what was read, for failure messages.
	raw string
}

// readKernel reads the namespace's IPv4 nat table and its ipsets.
func readKernel(ns *netns.Namespace) (*kernelState, error) {
	st := &kernelState{forwarded: map[string]string{}, jumps: map[string]int{}}
	nat, err := ns.Run("iptables-nft-save", "-t", "nat")
	if err != nil {
		return nil, err
	}
	sets, err := ns.Run("ipset", "save")
	if err != nil {
		return nil, err
	}
	st.raw = nat + sets
	setTarget := map[string]string{}
	for l := range strings.Lines(nat) {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[0] == "-A" && f[1] == dataplane.ChainName:
			if set, target := fieldAfter(f, "--match-set"), fieldAfter(f, "--to-destination"); set != "" && target != "" {
				setTarget[set] = target
			}
		case len(f) >= 3 && f[0] == "-A" && strings.Contains(l, "-j "+dataplane.ChainName):
			st.jumps[f[1]]++
		}
	}
	for l := range strings.Lines(sets) {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "add" || !strings.HasPrefix(f[1], dataplane.SetPrefix) {
			continue
		}
		target, ok := setTarget[f[1]]
		if !ok {
			continue
		}
		dest, err := parseEntry(f[2])
		if err != nil {
			return nil, fmt.Errorf("ipset entry %q: %w", l, err)
		}
		st.forwarded[dest] = target
	}
	return st, nil
}

// fieldAfter returns the field following name, or "".
func fieldAfter(fields []string, name string) string {
	if i := slices.Index(fields, name); i >= 0 && i+1 < len(fields) {
		return fields[i+1]
	}
	return ""
}

// parseEntry turns a hash:ip,port entry such as 10.0.0.1,tcp:10351 into 10.0.0.1:10351.
func parseEntry(e string) (string, error) {
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

// problems lists how st differs from forwarding exactly want (destination → target) with one jump from OUTPUT
// and one from PREROUTING.
func (st *kernelState) problems(want map[string]string) []string {
	var out []string
	for _, d := range slices.Sorted(maps.Keys(want)) {
		if got, ok := st.forwarded[d]; !ok {
			out = append(out, fmt.Sprintf("%s is not forwarded, want -> %s", d, want[d]))
		} else if got != want[d] {
			out = append(out, fmt.Sprintf("%s -> %s, want -> %s", d, got, want[d]))
		}
	}
	for _, d := range slices.Sorted(maps.Keys(st.forwarded)) {
		if _, ok := want[d]; !ok {
			out = append(out, fmt.Sprintf("%s -> %s is forwarded, want it not", d, st.forwarded[d]))
		}
	}
	for _, chain := range []string{"OUTPUT", "PREROUTING"} {
		if n := st.jumps[chain]; n != 1 {
			out = append(out, fmt.Sprintf("%d jumps from %s, want 1", n, chain))
		}
	}
	return out
}
