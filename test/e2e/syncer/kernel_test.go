package syncer

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// saveCommands are the iptables-nft-save commands of each family, as "ipv4" and "ipv6".
var saveCommands = map[string]string{"ipv4": "iptables-nft-save", "ipv6": "ip6tables-nft-save"}

// kernelState is the forwarding a namespace's kernel actually does, read back from `iptables-save` and
// `ipset save` independently of the code under test.
type kernelState struct {
	// forwarded maps each destination (edge IP:port) to its DNAT target, counting only sets matched by a rule
	// in our chain of a family that has its jumps.
	forwarded map[string]string
	// jumps counts our jumps per "<family> <built-in chain>".
	jumps map[string]int
	// chainRules counts the rules in our chain per family.
	chainRules map[string]int
	// sets are the names of our ipsets.
	sets []string
	// raw is what was read, for failure messages.
	raw string
}

// readKernel reads the namespace's nat tables (nf_tables variant) and ipsets.
func readKernel(ns *netns.Namespace) (*kernelState, error) {
	return readKernelWith(ns, saveCommands)
}

// readKernelWith reads the namespace's nat tables with the save command of each family ("ipv4", "ipv6"), such
// as iptables-legacy-save, and its ipsets.
func readKernelWith(ns *netns.Namespace, saves map[string]string) (*kernelState, error) {
	st := &kernelState{forwarded: map[string]string{}, jumps: map[string]int{}, chainRules: map[string]int{}}
	var raw strings.Builder
	setTarget := map[string]string{}
	effective := map[string]bool{}
	for _, fam := range []string{"ipv4", "ipv6"} {
		out, err := ns.Run(saves[fam], "-t", "nat")
		if err != nil {
			return nil, err
		}
		raw.WriteString(out)
		for l := range strings.Lines(out) {
			f := strings.Fields(l)
			switch {
			case len(f) >= 3 && f[0] == "-A" && f[1] == dataplane.ChainName:
				st.chainRules[fam]++
				set, target := fieldAfter(f, "--match-set"), fieldAfter(f, "--to-destination")
				if set != "" && target != "" {
					setTarget[set] = target
				}
			case len(f) >= 3 && f[0] == "-A" && strings.Contains(l, "-j "+dataplane.ChainName):
				st.jumps[fam+" "+f[1]]++
			}
		}
		effective[fam] = st.jumps[fam+" OUTPUT"] > 0 && st.jumps[fam+" PREROUTING"] > 0
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
			st.sets = append(st.sets, f[1])
		case len(f) >= 3 && f[0] == "add" && strings.HasPrefix(f[1], dataplane.SetPrefix):
			target, ok := setTarget[f[1]]
			fam := "ipv4"
			if strings.HasPrefix(f[1], dataplane.SetPrefix+"6") {
				fam = "ipv6"
			}
			if !ok || !effective[fam] {
				continue
			}
			dest, err := parseEntry(f[2])
			if err != nil {
				return nil, fmt.Errorf("ipset entry %q: %w", l, err)
			}
			st.forwarded[dest] = target
		}
	}
	st.raw = raw.String()
	return st, nil
}

// fieldAfter returns the field following name, or "".
func fieldAfter(fields []string, name string) string {
	if i := slices.Index(fields, name); i >= 0 && i+1 < len(fields) {
		return fields[i+1]
	}
	return ""
}

// parseEntry turns a hash:ip,port entry such as 10.0.0.1,tcp:10351 into 10.0.0.1:10351 or [fd00::1]:10351.
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

// problems lists how st differs from want (destination → target) and from exactly one jump per built-in chain
// and family.
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
			out = append(out, fmt.Sprintf("%s -> %s is forwarded, want it not forwarded", d, st.forwarded[d]))
		}
	}
	for _, fam := range []string{"ipv4", "ipv6"} {
		for _, chain := range []string{"OUTPUT", "PREROUTING"} {
			if n := st.jumps[fam+" "+chain]; n != 1 {
				out = append(out, fmt.Sprintf("%d %s jumps from %s, want 1", n, fam, chain))
			}
		}
	}
	return out
}

// waitKernel polls the namespace until it forwards exactly want, and returns how long that took.
func waitKernel(t *testing.T, ns *netns.Namespace, step string, timeout time.Duration, want map[string]string) time.Duration {
	t.Helper()
	start := time.Now()
	var last []string
	var raw string
	for time.Since(start) < timeout {
		st, err := readKernel(ns)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if last = st.problems(want); len(last) == 0 {
			return time.Since(start)
		}
		raw = st.raw
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %v:\n  %s\nkernel state:\n%s", step, timeout, strings.Join(last, "\n  "), raw)
	return 0
}
