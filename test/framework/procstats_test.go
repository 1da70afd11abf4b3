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

package framework

import (
	"os"
	"runtime/debug"
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

func TestMemoryOfThisProcess(t *testing.T) {
	rss, peak, err := Memory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || peak < rss {
		t.Fatalf("VmRSS = %d, VmHWM = %d bytes", rss, peak)
	}
	// A peak well above the current RSS: 64 MiB touched, then released to the OS.
	touch64MiB()
	debug.FreeOSMemory()
	if _, peak, err = Memory(os.Getpid()); err != nil || peak < 64<<20 {
		t.Fatalf("VmHWM = %d bytes after touching 64 MiB (%v)", peak, err)
	}
	if err := ResetPeakMemory(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	rss, reset, err := Memory(os.Getpid())
	if err != nil || reset >= peak || reset < rss {
		t.Fatalf("after ResetPeakMemory: VmRSS %d, VmHWM %d, was %d (%v)", rss, reset, peak, err)
	}
	if _, _, err := Memory(-1); err == nil {
		t.Fatal("no error for a process that cannot exist")
	}
}

// touch64MiB writes to 64 MiB of fresh memory, which is garbage once it returns.
func touch64MiB() {
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = 1
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

func TestResidentSplitOfThisProcess(t *testing.T) {
	anon, file, err := ResidentSplit(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	rss, _, err := Memory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// VmRSS is RssAnon + RssFile + RssShmem, read a moment apart.
	if anon <= 0 || file <= 0 || anon+file > rss+rss/4 {
		t.Errorf("RssAnon %d + RssFile %d against VmRSS %d", anon, file, rss)
	}
}
