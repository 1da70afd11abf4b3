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
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// The load test's own counting, checked without a control plane.

func TestCheckListFastCountsAcrossReads(t *testing.T) {
	list := `{"kind":"EdgeNodeList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[` +
		strings.Repeat(`{"metadata":{"name":"n"},"status":{}},`, 3) + `{"metadata":{"name":"m"}}]}`
	for _, tc := range []struct {
		name string
		want itemRange
		ok   bool
	}{{"exact", exactly(4), true}, {"range", itemRange{3, 5}, true}, {"too few", exactly(5), false}} {
		// One byte per read puts every opening across reads.
		err := checkListFast(tc.want)(iotest.OneByteReader(strings.NewReader(list)))
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err := checkList(tc.want)(strings.NewReader(list)); (err == nil) != tc.ok {
			t.Errorf("%s, decoded: %v", tc.name, err)
		}
	}
	table := `{"kind":"Table","rows":[{"cells":["a"],"object":{"metadata":{"name":"a"}}},{"cells":["b"]}]}`
	if err := checkListFast(exactly(2))(iotest.HalfReader(strings.NewReader(table))); err != nil {
		t.Errorf("table: %v", err)
	}
	if err := checkListFast(exactly(0))(strings.NewReader(`{"kind":"Status","code":500}`)); err == nil {
		t.Error("a Status passed as a list")
	}
}

func TestRouteStatsCountsEveryOutcome(t *testing.T) {
	s := newRouteStats("r", 1)
	s.success(200, 2*time.Millisecond)
	s.success(201, 4*time.Millisecond)
	with := http.Header{"Retry-After": {"1"}}
	s.failure(http.StatusTooManyRequests, with, "")
	s.failure(http.StatusTooManyRequests, http.Header{}, "")
	s.failure(http.StatusInternalServerError, http.Header{}, "boom")
	s.invalidBody(200, errTest)
	s.transportError(errTest)
	s.streamError(410, "gone")
	r := s.result(time.Second)
	if r.successes != 2 || r.tooMany != 2 || r.noRetryAfter != 1 || r.errors != 4 || r.p50 != 2*time.Millisecond || r.max != 4*time.Millisecond {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(strings.Join(r.failures, "|"), "500 boom") {
		t.Fatalf("failures %q", r.failures)
	}
}

var errTest = errors.New("test")
