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

package dataplanetesting

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ipset is one set: its header and its entries in the form `ipset save` prints them (10.0.0.1,tcp:10351).
type ipset struct {
	typ      string
	family   string
	hashSize int
	maxElem  int
	entries  map[string]bool
}

// The ipset messages the dataplane tells apart, as ipset 7 prints them.
const (
	errSetMissing = "The set with the given name does not exist"
	errSetInUse   = "Set cannot be destroyed: it is in use by a kernel component"
)

// ipsetError is a failure as ipset prints it on standard error, capitalised.
type ipsetError string

// Error implements error.
func (e ipsetError) Error() string { return string(e) }

// ipsetCommand runs `ipset [-exist] <command> ...`; k.mu is held.
func (k *FakeKernel) ipsetCommand(name string, args []string, stdin []byte) ([]byte, error) {
	exist := false
	rest := args
	if len(rest) > 0 && rest[0] == "-exist" {
		exist, rest = true, rest[1:]
	}
	switch {
	case len(rest) == 1 && rest[0] == "restore":
		for n, line := range strings.Split(string(stdin), "\n") {
			if err := k.ipsetLine(line, exist); err != nil {
				return nil, commandError(name, args, 1, fmt.Sprintf("Error in line %d: %v", n+1, err))
			}
		}
		return nil, nil
	case len(rest) == 2 && rest[0] == "list" && rest[1] == "-t":
		return []byte(k.listSets()), nil
	case len(rest) == 1 && rest[0] == "save":
		return []byte(k.saveSets()), nil
	case len(rest) == 2 && rest[0] == "save":
		if _, ok := k.sets[rest[1]]; !ok {
			return nil, commandError(name, args, 1, errSetMissing)
		}
		return []byte(k.saveSets(rest[1])), nil
	case len(rest) == 3 && rest[0] == "test":
		s, ok := k.sets[rest[1]]
		if !ok {
			return nil, commandError(name, args, 1, errSetMissing)
		}
		e, err := parseEntry(s, rest[2])
		if err != nil {
			return nil, commandError(name, args, 1, err.Error())
		}
		if !s.entries[e] {
			return nil, commandError(name, args, 1, rest[2]+" is NOT in set "+rest[1]+".")
		}
		return []byte(rest[2] + " is in set " + rest[1] + ".\n"), nil
	}
	if err := k.ipsetLine(strings.Join(rest, " "), exist); err != nil {
		return nil, commandError(name, args, 1, err.Error())
	}
	return nil, nil
}

// ipsetLine runs one command of ipset, as a line of `ipset restore` or a command line; k.mu is held.
func (k *FakeKernel) ipsetLine(line string, exist bool) error {
	f := strings.Fields(line)
	if len(f) == 0 || f[0] == "COMMIT" {
		return nil
	}
	if len(f) < 2 {
		return fmt.Errorf("missing set name in %q", line)
	}
	name := f[1]
	s, ok := k.sets[name]
	if !ok && f[0] != "create" {
		return ipsetError(errSetMissing)
	}
	switch f[0] {
	case "create":
		return k.createSet(name, f[2:], exist)
	case "add", "del":
		if len(f) != 3 {
			return fmt.Errorf("%s takes one entry: %q", f[0], line)
		}
		return s.addOrDelete(f[0] == "add", f[2], exist)
	case "flush":
		clear(s.entries)
	case "destroy":
		if k.referenced(name) {
			return ipsetError(errSetInUse)
		}
		delete(k.sets, name)
	case "swap":
		if len(f) != 3 {
			return fmt.Errorf("swap takes two sets: %q", line)
		}
		return k.swap(s, f[2])
	default:
		return fmt.Errorf("unknown command %q", f[0])
	}
	return nil
}

// addOrDelete adds or deletes the entry text of set s; under -exist a present entry added or a missing one
// deleted is not an error.
func (s *ipset) addOrDelete(add bool, text string, exist bool) error {
	e, err := parseEntry(s, text)
	if err != nil {
		return err
	}
	switch {
	case add && s.entries[e] && !exist:
		return ipsetError("Element cannot be added to the set: it's already added")
	case add && !s.entries[e] && len(s.entries) >= s.maxElem:
		return ipsetError("Hash is full, cannot add more elements")
	case add:
		s.entries[e] = true
	case !s.entries[e] && !exist:
		return ipsetError("Element cannot be deleted from the set: it's not added")
	default:
		delete(s.entries, e)
	}
	return nil
}

// swap exchanges the contents of s and the set called otherName.
func (k *FakeKernel) swap(s *ipset, otherName string) error {
	other, ok := k.sets[otherName]
	if !ok {
		return ipsetError(errSetMissing)
	}
	if s.typ != other.typ || s.family != other.family {
		return ipsetError("The sets cannot be swapped: their type does not match")
	}
	*s, *other = *other, *s // rules reference names, so they now match the other content
	return nil
}

// createSet creates a set of type and options (family, hashsize, maxelem). Under -exist an existing set is kept
// when its type, family and maxelem are the same.
func (k *FakeKernel) createSet(name string, spec []string, exist bool) error {
	if len(spec) == 0 {
		return errors.New("missing set type")
	}
	s := &ipset{typ: spec[0], family: "inet", hashSize: 1024, maxElem: 65536, entries: map[string]bool{}}
	for i := 1; i < len(spec); i += 2 {
		if i+1 >= len(spec) {
			return fmt.Errorf("option %s without a value", spec[i])
		}
		var err error
		switch spec[i] {
		case "family":
			s.family = spec[i+1]
		case "hashsize":
			s.hashSize, err = strconv.Atoi(spec[i+1])
		case "maxelem":
			s.maxElem, err = strconv.Atoi(spec[i+1])
		default:
			err = fmt.Errorf("unknown option %s", spec[i])
		}
		if err != nil {
			return err
		}
	}
	if s.typ != "hash:ip,port" && s.typ != "hash:ip" || s.family != "inet" && s.family != "inet6" {
		return fmt.Errorf("the fake kernel has no set type %s family %s", s.typ, s.family)
	}
	if old, ok := k.sets[name]; ok {
		if exist && old.typ == s.typ && old.family == s.family && old.maxElem == s.maxElem {
			return nil
		}
		return ipsetError("Set cannot be created: set with the same name already exists")
	}
	k.sets[name] = s
	return nil
}

// parseEntry returns an entry of s in its canonical form: "IP" for hash:ip, "IP,proto:port" for hash:ip,port,
// where "IP,port" means TCP.
func parseEntry(s *ipset, text string) (string, error) {
	ipText, portText, hasPort := strings.Cut(text, ",")
	ip, err := netip.ParseAddr(ipText)
	if err != nil || ip.Zone() != "" || (s.family == "inet") != ip.Is4() {
		return "", fmt.Errorf("syntax error: %q is not a valid %s address", ipText, s.family)
	}
	if s.typ == "hash:ip" {
		if hasPort {
			return "", fmt.Errorf("syntax error: elem separator in %q", text)
		}
		return ip.String(), nil
	}
	if !hasPort {
		return "", fmt.Errorf("syntax error: second element is missing from %q", text)
	}
	proto, port, ok := strings.Cut(portText, ":")
	if !ok {
		proto, port = "tcp", portText
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || proto != "tcp" && proto != "udp" {
		return "", fmt.Errorf("syntax error: invalid port %q", portText)
	}
	return ip.String() + "," + proto + ":" + strconv.FormatUint(p, 10), nil
}

// listSets prints every set's header as `ipset list -t` does.
func (k *FakeKernel) listSets() string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(k.sets)) {
		s := k.sets[name]
		refs := 0
		if k.referenced(name) {
			refs = 1
		}
		fmt.Fprintf(&b, "Name: %s\nType: %s\nRevision: 6\nHeader: family %s hashsize %d maxelem %d bucketsize 12 initval 0x00000000\n"+
			"Size in memory: %d\nReferences: %d\nNumber of entries: %d\n", name, s.typ, s.family, s.hashSize, s.maxElem,
			200+40*len(s.entries), refs, len(s.entries))
	}
	return b.String()
}

// saveSets prints the named sets, or every set, as `ipset save` does, entries sorted.
func (k *FakeKernel) saveSets(names ...string) string {
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(k.sets))
	}
	var b strings.Builder
	for _, name := range names {
		s := k.sets[name]
		fmt.Fprintf(&b, "create %s %s family %s hashsize %d maxelem %d bucketsize 12 initval 0x00000000\n", name, s.typ, s.family, s.hashSize, s.maxElem)
		for _, e := range slices.Sorted(maps.Keys(s.entries)) {
			fmt.Fprintf(&b, "add %s %s\n", name, e)
		}
	}
	return b.String()
}

// referenced reports whether a rule of any table, variant or family matches the set; k.mu is held.
func (k *FakeKernel) referenced(name string) bool {
	for _, rs := range k.rulesets {
		if rs.references("--match-set " + name + " ") {
			return true
		}
	}
	return false
}
