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
