package framework

import (
	"os"
	"testing"
	"time"
)

func TestResidentSetSizeOfThisProcess(t *testing.T) {
	rss, err := ResidentSetSize(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// A running Go test binary has at least a megabyte resident and far less than a terabyte.
	if rss < 1<<20 || rss > 1<<40 {
		t.Fatalf("VmRSS = %d bytes", rss)
	}
	if _, err := ResidentSetSize(-1); err == nil {
		t.Fatal("no error for a process that cannot exist")
	}
}

func TestCPUTimeOfThisProcess(t *testing.T) {
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the kernel has charged this process at least three more ticks.
	deadline := time.Now().Add(10 * time.Second)
	after := before
	for x := 0; after < before+30*time.Millisecond && time.Now().Before(deadline); x++ {
		if x%1_000_000 == 0 {
			if after, err = CPUTime(os.Getpid()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if after < before+30*time.Millisecond {
		t.Fatalf("CPU time went from %s to %s while spinning", before, after)
	}
	if _, err := CPUTime(-1); err == nil {
		t.Fatal("no error for a process that cannot exist")
	}
}
