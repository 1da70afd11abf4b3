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
	"strconv"
	"testing"
)

// FuzzParseResourceVersion checks that only plain decimal resource versions are accepted, and as their value.
func FuzzParseResourceVersion(f *testing.F) {
	for _, s := range []string{"", "0", "42", "00", "+1", "-1", "18446744073709551616", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rv string) {
		n, err := parseResourceVersion(rv)
		if err != nil {
			return
		}
		if rv == "" {
			if n != 0 {
				t.Errorf("parseResourceVersion(\"\") = %d", n)
			}
			return
		}
		if back, perr := strconv.ParseUint(rv, 10, 64); perr != nil || back != n {
			t.Errorf("parseResourceVersion(%q) = %d", rv, n)
		}
	})
}
