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

import "sync"

// maxInternedStrings bounds a stringInterner, so that unique values such as host names
// cannot grow it without limit; past it, strings are kept as they are.
const maxInternedStrings = 1 << 16

// stringInterner deduplicates strings that repeat across Nodes.
type stringInterner struct {
	mu sync.Mutex
	m  map[string]string
}

func newStringInterner() *stringInterner { return &stringInterner{m: map[string]string{}} }

// intern returns the canonical copy of s.
func (in *stringInterner) intern(s string) string {
	if s == "" {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.m[s]; ok {
		return c
	}
	if len(in.m) < maxInternedStrings {
		in.m[s] = s
	}
	return s
}

// internMap copies m into an exactly sized map of interned strings; values equal to
// name (the hostname label) reuse name instead.
func (in *stringInterner) internMap(m map[string]string, name string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v == name {
			v = name
		} else {
			v = in.intern(v)
		}
		out[in.intern(k)] = v
	}
	return out
}
