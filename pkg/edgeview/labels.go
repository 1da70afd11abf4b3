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

package edgeview

import (
	"slices"
	"strings"
)

// labelPair is one label. A value equal to the node's name (the hostname label) is kept as isName, so that the
// pair is the same for every node and interns to one copy.
type labelPair struct {
	key, value string
	isName     bool
}

// labelSet is a node's labels sorted by key: pointers to pairs that the interner shares across nodes, a fifth of
// the memory of a map of the same labels.
type labelSet []*labelPair

// has reports whether the set holds key.
func (s labelSet) has(key string) bool {
	_, found := slices.BinarySearchFunc(s, key, func(p *labelPair, key string) int { return strings.Compare(p.key, key) })
	return found
}

// toMap returns the labels as a new map, with name for the values that equal it; nil when there are none.
func (s labelSet) toMap(name string) map[string]string {
	if len(s) == 0 {
		return nil
	}
	m := make(map[string]string, len(s))
	for _, p := range s {
		if p.isName {
			m[p.key] = name
		} else {
			m[p.key] = p.value
		}
	}
	return m
}

// equal reports whether two sets hold the same labels.
func (s labelSet) equal(o labelSet) bool {
	return slices.EqualFunc(s, o, func(a, b *labelPair) bool { return a == b || *a == *b })
}

// matches reports whether the set holds exactly the labels m, name standing for the values that equal it.
func (s labelSet) matches(m map[string]string, name string) bool {
	if len(s) != len(m) {
		return false
	}
	for _, p := range s {
		v, ok := m[p.key]
		if !ok || (p.isName && v != name) || (!p.isName && (v != p.value || v == name)) {
			return false
		}
	}
	return true
}

// labelSet returns m as a labelSet of interned pairs; in may be nil, which interns nothing.
func (in *stringInterner) labelSet(m map[string]string, name string) labelSet {
	if len(m) == 0 {
		return nil
	}
	s := make(labelSet, 0, len(m))
	for k, v := range m {
		p := labelPair{key: k, value: v}
		if v == name {
			p.value, p.isName = "", true
		}
		s = append(s, in.pair(p))
	}
	slices.SortFunc(s, func(a, b *labelPair) int { return strings.Compare(a.key, b.key) })
	return s
}
