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
	"net/netip"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// FuzzParseLegacyRule checks that a rule recognised as the old agent's has exactly its shape: the destination
// and target it reports are the line's, the port is one of the two it used, and the delete specification is the
// line without "-A OUTPUT".
func FuzzParseLegacyRule(f *testing.F) {
	for _, s := range []string{
		"-A OUTPUT -d 10.1.0.1/32 -p tcp -m tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003",
		"-A OUTPUT -d fd01::1/128 -p tcp --dport 10250 -j DNAT --to-destination [fd00::2]:10003",
		"-A OUTPUT -s 10.9.0.0/16 -d 10.1.0.1/32 -p tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003",
		"-A OUTPUT -d 10.1.0.1/32 -p tcp --dport 10350 -j DNAT --to-destination 10.0.0.2:10003 --random",
		"-A OUTPUT -d ::ffff:10.1.0.1/128 -p tcp --dport 10350 -j DNAT --to-destination [::ffff:10.0.0.2]:10003",
		"",
	} {
		f.Add(uint8(4), s)
	}
	f.Fuzz(func(t *testing.T, fam uint8, line string) {
		f := forwarding.IPv4
		if fam%2 == 1 {
			f = forwarding.IPv6
		}
		r, spec, ok := parseLegacyRule(f, line)
		if !ok {
			return
		}
		fields := strings.Fields(line)
		if r.Rule != strings.Join(fields, " ") || strings.Join(spec, " ") != strings.Join(fields[2:], " ") {
			t.Errorf("parseLegacyRule(%q): rule %q, delete spec %q", line, r.Rule, spec)
		}
		if p := r.Destination.Port(); p != LegacyLogPort && p != LegacyMetricsPort {
			t.Errorf("parseLegacyRule(%q) matched port %d", line, p)
		}
		dst, dstErr := netip.ParsePrefix(fields[3])
		target, targetErr := netip.ParseAddrPort(fields[len(fields)-1])
		if !inFamily(f, r.Destination.Addr()) || !inFamily(f, r.Target.Addr()) || r.Target.Port() == 0 ||
			fields[2] != "-d" || dstErr != nil || dst.Addr() != r.Destination.Addr() || targetErr != nil || target != r.Target {
			t.Errorf("parseLegacyRule(%q) = %+v, not what the line says", line, r)
		}
	})
}

// FuzzParseSetHeaders checks that `ipset list -t` output, however garbled, yields only sets EdgeWatcher owns, and
// a count of entries only when it is a non-negative number.
func FuzzParseSetHeaders(f *testing.F) {
	f.Add("Name: ewfwd4-1423c6a139e1cfa8\nType: hash:ip,port\nHeader: family inet hashsize 1024 maxelem 4194304\nNumber of entries: 2\n")
	f.Add("Name: KUBE-CLUSTER-IP\nType: hash:ip,port\nNumber of entries: x\nName:\nHeader: maxelem\n")
	f.Fuzz(func(t *testing.T, out string) {
		for name, info := range parseSetHeaders(out) {
			if familyOfSetName(name) == 0 || info.entries < 0 || !info.counted && info.entries != 0 {
				t.Errorf("parseSetHeaders kept %q: %+v", name, info)
			}
		}
	})
}
