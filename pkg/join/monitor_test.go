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

package join

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/test/klogtest"
)

// scripted is a dependency check whose result the test sets.
type scripted struct {
	mu     sync.Mutex
	deps   []Dependency
	checks int
}

func (s *scripted) set(deps ...Dependency) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deps = deps
}

func (s *scripted) check() []Dependency {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks++
	return append([]Dependency(nil), s.deps...)
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checks
}

// TestMonitorLogsTransitionsOnly checks one log line per change of state, whatever the number of checks.
func TestMonitorLogsTransitionsOnly(t *testing.T) {
	logs := klogtest.Capture(t)
	var synced atomic.Bool
	s := &scripted{}
	m := NewDependencyMonitor(s.check, synced.Load)
	ok := func(name, rv string) Dependency {
		return Dependency{Name: name, Object: "ConfigMap kubeedge/" + name, ResourceVersion: rv}
	}
	broken := func(name, rv, why string) Dependency {
		d := ok(name, rv)
		d.Err = errors.New(why)
		return d
	}
	steps := []struct {
		name      string
		deps      []Dependency
		unusable  int // "unusable" lines so far
		usable    int // "usable again" lines so far
		lastReady []bool
	}{
		{"first check, config already missing", []Dependency{broken("cc", "", "gone"), ok("tok", "1")}, 1, 0, []bool{false, true}},
		{"still missing", []Dependency{broken("cc", "", "gone"), ok("tok", "1")}, 1, 0, []bool{false, true}},
		{"restored but malformed: a new version", []Dependency{broken("cc", "5", "bad yaml"), ok("tok", "1")}, 2, 0, []bool{false, true}},
		{"same malformed version, another reason text", []Dependency{broken("cc", "5", "bad yaml at 10:01"), ok("tok", "1")}, 2, 0, []bool{false, true}},
		{"fixed", []Dependency{ok("cc", "6"), ok("tok", "1")}, 2, 1, []bool{true, true}},
		{"token expires without a new version", []Dependency{ok("cc", "6"), broken("tok", "1", "expired")}, 3, 1, []bool{true, false}},
		{"still expired", []Dependency{ok("cc", "6"), broken("tok", "1", "expired")}, 3, 1, []bool{true, false}},
		{"token refreshed", []Dependency{ok("cc", "6"), ok("tok", "2")}, 3, 2, []bool{true, true}},
	}
	if got := m.Update(); got != nil || s.count() != 0 {
		t.Fatalf("checked before the caches synced: %v", got)
	}
	synced.Store(true)
	for _, st := range steps {
		s.set(st.deps...)
		for range 3 {
			m.Update()
		}
		klog.Flush()
		out := logs.String()
		if u, a := strings.Count(out, "Join dependency unusable"), strings.Count(out, "Join dependency usable again"); u != st.unusable || a != st.usable {
			t.Errorf("%s: %d unusable and %d usable-again lines, want %d and %d:\n%s", st.name, u, a, st.unusable, st.usable, out)
		}
		for i, d := range m.Last() {
			if d.Ready() != st.lastReady[i] {
				t.Errorf("%s: Last()[%d] ready = %v", st.name, i, d.Ready())
			}
		}
	}
	if !strings.Contains(logs.String(), `err="bad yaml" dependency="cc" object="ConfigMap kubeedge/cc" resourceVersion="5"`) {
		t.Errorf("the log line does not name the object, version and reason:\n%s", logs.String())
	}
}

// TestMonitorRunChecksOnNotifyAndPeriod checks that Run checks at start, after Notify, once the caches synced
// (never before) and every period.
func TestMonitorRunChecksOnNotifyAndPeriod(t *testing.T) {
	s := &scripted{}
	m := NewDependencyMonitor(s.check, func() bool { return true })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx, time.Hour) }()
	waitFor := func(what string, n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for s.count() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d checks, want %d", what, s.count(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor("at start", 1)
	m.Notify()
	waitFor("after Notify", 2)
	cancel()
	<-done

	var synced atomic.Bool
	var asked atomic.Int32
	s1 := &scripted{}
	m1 := NewDependencyMonitor(s1.check, func() bool { asked.Add(1); return synced.Load() })
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	go m1.Run(ctx1, time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	for asked.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("Run does not poll the caches")
		}
		time.Sleep(time.Millisecond)
	}
	if n := s1.count(); n != 0 {
		t.Fatalf("%d checks before the caches synced", n)
	}
	synced.Store(true)
	for s1.count() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("no check after the caches synced")
		}
		time.Sleep(time.Millisecond)
	}

	s2 := &scripted{}
	m2 := NewDependencyMonitor(s2.check, func() bool { return true })
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go m2.Run(ctx2, 10*time.Millisecond)
	deadline = time.Now().Add(5 * time.Second)
	for s2.count() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("periodic checks: %d, want 3", s2.count())
		}
		time.Sleep(time.Millisecond)
	}
}
