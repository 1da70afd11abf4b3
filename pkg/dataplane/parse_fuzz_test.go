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
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

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

// FuzzSetDump checks that the parser of IPSET_CMD_LIST messages never panics on what the kernel (or anything
// posing as it) sends, keeps only TCP destinations of the family asked for, and reads back exactly the entries a
// well-formed message carries.
func FuzzSetDump(f *testing.F) {
	f.Add(uint8(4), dumpMessage("hash:ip,port", netip.MustParseAddrPort("10.64.0.1:10351"), netip.MustParseAddrPort("10.64.0.2:10352")))
	f.Add(uint8(6), dumpMessage("hash:ip,port", netip.MustParseAddrPort("[2001:db8::1]:10351")))
	f.Add(uint8(4), dumpMessage("hash:ip", netip.MustParseAddrPort("10.64.0.1:10351")))
	f.Add(uint8(4), []byte{})
	f.Fuzz(func(t *testing.T, fam uint8, msg []byte) {
		family := forwarding.IPv4
		if fam%2 == 1 {
			family = forwarding.IPv6
		}
		d := setDump{family: family, ok: true}
		d.message(msg)
		for _, e := range d.entries {
			if !inFamily(family, e.Addr()) || e.Port() == 0 {
				t.Errorf("kept %v as a %v entry", e, family)
			}
		}
		// A well-formed message built from what was kept reads back the same entries.
		if len(d.entries) > 0 && d.ok && d.typed {
			again := setDump{family: family, ok: true}
			again.message(dumpMessage("hash:ip,port", d.entries...))
			if !again.ok || !again.typed || !slices.Equal(again.entries, d.entries) {
				t.Errorf("round trip of %v: %v (ok %v)", d.entries, again.entries, again.ok)
			}
		}
	})
}

// dumpMessage is the attributes of an IPSET_CMD_LIST message (after nfgenmsg) for a set of type typ holding
// entries, as the kernel sends them.
func dumpMessage(typ string, entries ...netip.AddrPort) []byte {
	var adt []byte
	for _, e := range entries {
		kind, ip := uint16(ipsetAttrIPv4), e.Addr().AsSlice()
		if e.Addr().Is6() {
			kind = ipsetAttrIPv6
		}
		var data []byte
		data = appendAttr(data, ipsetAttrIP|unix.NLA_F_NESTED, appendAttr(nil, kind|unix.NLA_F_NET_BYTEORDER, ip))
		data = appendAttr(data, ipsetAttrPort|unix.NLA_F_NET_BYTEORDER, binary.BigEndian.AppendUint16(nil, e.Port()))
		data = appendAttr(data, ipsetAttrProto, []byte{unix.IPPROTO_TCP})
		adt = appendAttr(adt, ipsetAttrData|unix.NLA_F_NESTED, data)
	}
	var b []byte
	b = appendAttr(b, ipsetAttrProtocol, []byte{ipsetProtocol})
	b = appendAttr(b, ipsetAttrSetName, []byte("ewfwd4-x\x00"))
	b = appendAttr(b, ipsetAttrTypeName, append([]byte(typ), 0))
	return appendAttr(b, ipsetAttrADT|unix.NLA_F_NESTED, adt)
}
