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

// maxInterned bounds each table of a stringInterner, so that unique values such as serial numbers cannot grow
// it without limit; past it, strings and label pairs are kept as they are.
const maxInterned = 1 << 16

// stringInterner deduplicates strings and label pairs that repeat across Nodes. A nil interner keeps them as
// they are.
type stringInterner struct {
	mu    sync.Mutex
	m     map[string]string
	pairs map[labelPair]*labelPair
}

func newStringInterner() *stringInterner {
	return &stringInterner{m: map[string]string{}, pairs: map[labelPair]*labelPair{}}
}

// intern returns the canonical copy of s.
func (in *stringInterner) intern(s string) string {
	if s == "" || in == nil {
		return s
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.internLocked(s)
}

// internLocked is intern with in.mu held.
func (in *stringInterner) internLocked(s string) string {
	if c, ok := in.m[s]; ok || s == "" {
		return c
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}

// pair returns the canonical copy of p, its strings interned.
func (in *stringInterner) pair(p labelPair) *labelPair {
	if in == nil {
		return &p
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.pairs[p]; ok {
		return c
	}
	p.key, p.value = in.internLocked(p.key), in.internLocked(p.value)
	c := &p
	if len(in.pairs) < maxInterned {
		in.pairs[p] = c
	}
	return c
}
