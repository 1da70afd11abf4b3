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
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ResidentSetSize returns the resident set size (VmRSS) of process pid in bytes, read from /proc/<pid>/status.
func ResidentSetSize(pid int) (int64, error) {
	rss, _, err := Memory(pid)
	return rss, err
}

// Memory returns the resident set size (VmRSS) of process pid and its peak (VmHWM, since the process started or
// since ResetPeakMemory), in bytes, read from /proc/<pid>/status.
func Memory(pid int) (rss, peak int64, err error) {
	v, err := statusBytes(pid, "VmRSS", "VmHWM")
	if err != nil {
		return 0, 0, err
	}
	return v[0], v[1], nil
}

// ResidentSplit returns the anonymous (RssAnon: heap, stacks, runtime) and file-backed (RssFile: the pages of
// the binary that were read) parts of process pid's resident set, in bytes, read from /proc/<pid>/status.
func ResidentSplit(pid int) (anon, file int64, err error) {
	v, err := statusBytes(pid, "RssAnon", "RssFile")
	if err != nil {
		return 0, 0, err
	}
	return v[0], v[1], nil
}

// statusBytes reads the named "<name>: <n> kB" fields of /proc/<pid>/status, in bytes, failing when one is missing.
func statusBytes(pid int, names ...string) ([]int64, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read memory: %w", err)
	}
	defer func() { _ = f.Close() }()
	out := make([]int64, len(names))
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), ":")
		i := slices.Index(names, name)
		if i < 0 {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return nil, fmt.Errorf("%s: unexpected line %q", path, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %q: %w", path, name, fields[0], err)
		}
		out[i] = kb << 10
		found++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if found != len(names) {
		return nil, fmt.Errorf("%s lacks one of %v (a kernel thread or a zombie?)", path, names)
	}
	return out, nil
}

// ResetPeakMemory sets the peak (VmHWM) of process pid to its current resident set size (proc(5), clear_refs).
func ResetPeakMemory(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat; it is 100 on every Linux platform Go supports.
const clockTicks = 100

// CPUTime returns the user plus system CPU time process pid has used, read from /proc/<pid>/stat.
func CPUTime(pid int) (time.Duration, error) {
	path := fmt.Sprintf("/proc/%d/stat", pid)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read CPU time: %w", err)
	}
	// The command name, field 2, is in parentheses and may contain spaces: count fields after the last ')'.
	end := strings.LastIndexByte(string(data), ')')
	if end < 0 {
		return 0, fmt.Errorf("%s: no command name in %q", path, data)
	}
	fields := strings.Fields(string(data[end+1:]))
	// utime and stime are fields 14 and 15 of the line, so 11 and 12 after the name (state is field 3).
	if len(fields) < 13 {
		return 0, fmt.Errorf("%s: only %d fields after the command name", path, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: CPU time %q: %w", path, f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
