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
	"net/netip"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// The old EdgeWatcher agent (kubesphere/edge-watcher-agent) wrote two rules per edge node straight into the
// built-in chain nat OUTPUT, with go-iptables and no comment, dedicated chain or other match:
//
//	iptables -t nat -A OUTPUT -p TCP --dport <10350|10250> -d <edge IP> -j DNAT --to-destination <IP>:<port>
//
// which iptables-legacy and iptables-nft both list (`iptables -t nat -S OUTPUT`) in one canonical form:
//
//	-A OUTPUT -d <edge IP>/32 -p tcp -m tcp --dport <10350|10250> -j DNAT --to-destination <IP>:<port>
//
// The DNAT target was a NodePort (30003) of one cloud node, or cloudcore's stream port, so any target is accepted.
// Ports 10350 and 10250 are the agent's defaults (log_port and metrics_port). The agent never programmed ip6tables;
// the IPv6 form (/128, [IP]:port) is recognised as well for a hand-made equivalent.
const (
	// LegacyLogPort is the old agent's log_port: the kubelet endpoint port of an edge node before its tunnel port.
	LegacyLogPort = 10350
	// LegacyMetricsPort is the old agent's metrics_port: kubelet's default port, which metrics-server dials.
	LegacyMetricsPort = 10250
)

// legacyChain is the built-in chain the old agent wrote to.
const legacyChain = "OUTPUT"

// LegacyRule is a rule of the old EdgeWatcher agent in nat OUTPUT.
type LegacyRule struct {
	// Family is the rule's address family: the iptables or ip6tables table it was in.
	Family forwarding.Family
	// Destination is the edge node's address and port the rule matched (-d, --dport).
	Destination netip.AddrPort
	// Target is where it DNATed to (--to-destination).
	Target netip.AddrPort
	// Rule is the rule as `iptables -S` listed it.
	Rule string
}

// String returns the rule as listed.
func (r LegacyRule) String() string { return r.Rule }

// parseLegacyRule recognises a line of `iptables -t nat -S OUTPUT` (or ip6tables) of family f as an old agent's
// rule, and returns it with the rule specification that deletes it (the line without "-A OUTPUT"). It accepts only
// the exact canonical shape, with "-m tcp" optional:
//
//	-A OUTPUT -d <host>/32 -p tcp [-m tcp] --dport 10350|10250 -j DNAT --to-destination <IP>:<port>
//
// where the destination is one host address (/32, or /128 for IPv6) and the target a single address and port
// of the same family. Anything else is somebody else's: another chain, a source, interface, negation, comment,
// other match, port range or list, other protocol, other target, an address or port range in the target, or a
// target option such as --random or --persistent.
func parseLegacyRule(f forwarding.Family, line string) (LegacyRule, []string, bool) {
	tok := strings.Fields(line)
	next := func(want ...string) bool {
		if len(tok) < len(want) {
			return false
		}
		for i, w := range want {
			if tok[i] != w {
				return false
			}
		}
		tok = tok[len(want):]
		return true
	}
	value := func(flag string) (string, bool) {
		if len(tok) < 2 || tok[0] != flag {
			return "", false
		}
		v := tok[1]
		tok = tok[2:]
		return v, true
	}
	if !next("-A", legacyChain) {
		return LegacyRule{}, nil, false
	}
	spec := tok
	dst, ok := value("-d")
	if !ok {
		return LegacyRule{}, nil, false
	}
	prefix, err := netip.ParsePrefix(dst)
	if err != nil || prefix.Bits() != prefix.Addr().BitLen() || !inFamily(f, prefix.Addr()) || prefix.Addr().Zone() != "" {
		return LegacyRule{}, nil, false
	}
	if !next("-p", "tcp") {
		return LegacyRule{}, nil, false
	}
	next("-m", "tcp")
	dport, ok := value("--dport")
	if !ok {
		return LegacyRule{}, nil, false
	}
	var port uint16
	switch dport {
	case fmt.Sprint(LegacyLogPort):
		port = LegacyLogPort
	case fmt.Sprint(LegacyMetricsPort):
		port = LegacyMetricsPort
	default:
		return LegacyRule{}, nil, false
	}
	if !next("-j", "DNAT") {
		return LegacyRule{}, nil, false
	}
	to, ok := value("--to-destination")
	if !ok || len(tok) != 0 {
		return LegacyRule{}, nil, false
	}
	target, err := netip.ParseAddrPort(to)
	if err != nil || target.Port() == 0 || !inFamily(f, target.Addr()) || target.Addr().Zone() != "" {
		return LegacyRule{}, nil, false
	}
	r := LegacyRule{
		Family:      f,
		Destination: netip.AddrPortFrom(prefix.Addr(), port),
		Target:      target,
		Rule:        strings.Join(strings.Fields(line), " "),
	}
	return r, spec, true
}

// inFamily reports whether a is an address of family f, IPv4-mapped IPv6 addresses excluded.
func inFamily(f forwarding.Family, a netip.Addr) bool {
	switch f {
	case forwarding.IPv4:
		return a.Is4()
	case forwarding.IPv6:
		return a.Is6() && !a.Is4In6()
	}
	return false
}

// RemoveLegacyRules deletes the old EdgeWatcher agent's rules (see parseLegacyRule) from nat OUTPUT of every
// enabled family and returns those it deleted, in listing order. Every other rule, in OUTPUT or elsewhere, is
// left alone. Each rule is deleted by its full specification, so a concurrent change to the chain can never make
// it delete another rule; a rule that went away in the meantime is skipped. It does not touch what Netfilter
// owns; call it after an Apply so that EdgeWatcher's jump is in place first.
func (n *Netfilter) RemoveLegacyRules(ctx context.Context) ([]LegacyRule, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var removed []LegacyRule
	var errs []error
	for _, t := range n.families {
		lines, err := t.ipt.List(natTable, legacyChain)
		if err != nil {
			errs = append(errs, fmt.Errorf("listing %s chain %s: %w", t.family, legacyChain, err))
			continue
		}
		for _, line := range lines {
			r, spec, ok := parseLegacyRule(t.family, line)
			if !ok {
				continue
			}
			if err := ctx.Err(); err != nil {
				return removed, errors.Join(append(errs, err)...)
			}
			if err := t.ipt.Delete(natTable, legacyChain, spec...); err != nil {
				if isNotExist(err) {
					continue
				}
				errs = append(errs, fmt.Errorf("deleting %s rule %q: %w", t.family, r.Rule, err))
				continue
			}
			removed = append(removed, r)
		}
	}
	return removed, errors.Join(errs...)
}
