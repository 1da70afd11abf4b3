package load

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
)

// cpuProcess is a process whose CPU time the report shows.
type cpuProcess struct {
	name string
	pid  int
}

// cpuProcesses are the clients (this test binary) and the servers they load.
func cpuProcesses() []cpuProcess {
	return []cpuProcess{
		{"clients (this test, -race)", os.Getpid()},
		{"edgewatcher-apiserver", ew.Process().Pid()},
		{"kube-apiserver", cp.KubeAPIServer.Pid()},
		{"etcd", cp.Etcd.Pid()},
	}
}

// cpuTimes reads the CPU time of each of procs; a process it cannot read counts as zero.
func cpuTimes(procs []cpuProcess) []time.Duration {
	out := make([]time.Duration, len(procs))
	for i, p := range procs {
		out[i], _ = framework.CPUTime(p.pid)
	}
	return out
}

// cpuReport renders the CPU each process used between before and after, over a phase of duration d.
func cpuReport(procs []cpuProcess, before, after []time.Duration, d time.Duration) string {
	parts := make([]string, len(procs))
	for i, p := range procs {
		used := after[i] - before[i]
		parts[i] = fmt.Sprintf("%s %.1fs (%.2f cores)", p.name, used.Seconds(), used.Seconds()/d.Seconds())
	}
	return "CPU: " + strings.Join(parts, ", ")
}
