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

package ipam

import "testing"

// FuzzParseCanonical checks that an accepted address prints back exactly as given.
func FuzzParseCanonical(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "fd00::1", "FD00::1", "::ffff:10.0.0.1", "fe80::1%eth0", "010.0.0.1", " 10.0.0.1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseCanonical(s)
		if err == nil && (a.String() != s || a.Zone() != "" || a.Is4In6()) {
			t.Errorf("ParseCanonical(%q) accepted %v", s, a)
		}
	})
}
