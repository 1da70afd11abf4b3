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
