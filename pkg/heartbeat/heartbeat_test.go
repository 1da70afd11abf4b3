package heartbeat

import (
	"strings"
	"testing"
)

func TestLeaseName(t *testing.T) {
	if got := LeaseName("cloud-1"); got != "edgewatcher-syncer-cloud-1" {
		t.Errorf("LeaseName = %q", got)
	}
	long := strings.Repeat("a", 250)
	got := LeaseName(long)
	if len(got) != maxNameLength || !strings.HasPrefix(got, LeaseNamePrefix) {
		t.Errorf("LeaseName(250 chars) = %q (%d chars), want %d chars with the prefix", got, len(got), maxNameLength)
	}
	if got == LeaseName(strings.Repeat("a", 249)+"b") {
		t.Errorf("two long names share a Lease name")
	}
}
