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
	"slices"
	"strconv"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// parseSavedEntries parses the `add <name> <ip>,tcp:<port>` lines of `ipset save` output for set name, and
// returns the entries sorted. Any other add line, or one for another set, makes ok false.
func parseSavedEntries(out []byte, name string, f forwarding.Family) (entries []netip.AddrPort, ok bool) {
	prefix := "add " + name + " "
	entries = make([]netip.AddrPort, 0, strings.Count(string(out), "\nadd "))
	for line := range strings.Lines(string(out)) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "create ") {
			continue
		}
		text, found := strings.CutPrefix(line, prefix)
		if !found {
			return nil, false
		}
		e, valid := parseSavedEntry(text, f)
		if !valid {
			return nil, false
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, netip.AddrPort.Compare)
	return entries, true
}

// parseSavedEntry parses "<ip>,tcp:<port>", the form ipset prints a hash:ip,port entry in.
func parseSavedEntry(text string, f forwarding.Family) (netip.AddrPort, bool) {
	ipText, portText, found := strings.Cut(text, ",tcp:")
	if !found {
		return netip.AddrPort{}, false
	}
	ip, err := netip.ParseAddr(ipText)
	if err != nil || ip.Zone() != "" || ip.Is4() != (f == forwarding.IPv4) {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip, uint16(port)), true
}
