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

package plugin

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseLabels checks that accepted labels have non-empty keys and come from the items given.
func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{"a=1", "a=1,b=2", "a=1,a=2", "=1", "a", "a==b", ",,", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		labels, err := parseLabels([]string{s})
		if err != nil {
			return
		}
		for k, v := range labels {
			if k == "" || !strings.Contains(s, k+"="+v) {
				t.Errorf("parseLabels(%q) gave %q=%q", s, k, v)
			}
		}
	})
}

// FuzzParseTaints checks that accepted taints have a key, a known effect and no key and effect twice.
func FuzzParseTaints(f *testing.F) {
	for _, s := range []string{"a=1:NoSchedule", "a:NoExecute,b=2:PreferNoSchedule", "a:NoSchedule,a=2:NoSchedule", ":NoSchedule", "a=1", "a:b:NoSchedule", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		taints, err := parseTaints([]string{s})
		if err != nil {
			return
		}
		for i, tn := range taints {
			if tn.Key == "" || !slices.Contains(taintEffects, tn.Effect) {
				t.Errorf("parseTaints(%q) gave %+v", s, tn)
			}
			for _, prev := range taints[:i] {
				if prev.Key == tn.Key && prev.Effect == tn.Effect {
					t.Errorf("parseTaints(%q) gave %s:%s twice", s, tn.Key, tn.Effect)
				}
			}
		}
	})
}
