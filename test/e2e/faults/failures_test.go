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

package faults

import (
	"maps"
	"slices"
	"testing"
	"time"
)

// checkFailures reports how requests of a kind fared in and out of the outages, and fails the test for a request
// that failed outside every outage, or failed unclearly.
func checkFailures(t *testing.T, kind string, outcomes []outcome, windows []window) {
	t.Helper()
	type tally struct {
		sent, acked int
		failed      classCounts
		// slowest is the longest a successful request took.
		slowest time.Duration
		// example is one answer of each failure class.
		example map[string]string
	}
	byWindow := map[string]*tally{}
	for _, o := range outcomes {
		where := "outside the outages"
		for _, w := range windows {
			if w.met(o.start, o.end) {
				where = "meeting the " + w.name + " outage"
				break
			}
		}
		tl := byWindow[where]
		if tl == nil {
			tl = &tally{failed: classCounts{}, example: map[string]string{}}
			byWindow[where] = tl
		}
		tl.sent++
		if o.ok() {
			tl.acked++
			tl.slowest = max(tl.slowest, o.end.Sub(o.start))
			continue
		}
		tl.failed[o.class()]++
		if _, ok := tl.example[o.class()]; !ok && len(o.body) > 0 {
			tl.example[o.class()] = truncate(o.body)
		}
		if where == "outside the outages" {
			t.Errorf("%s sent %s failed outside the outages: %s %s", kind, o.start.Format(time.StampMilli), o.class(), truncate(o.body))
		}
		if why := o.unclear(); why != "" {
			t.Errorf("%s sent %s, %s, failed unclearly: %s", kind, o.start.Format(time.StampMilli), where, why)
		}
	}
	for _, where := range slices.Sorted(maps.Keys(byWindow)) {
		tl := byWindow[where]
		t.Logf("%s requests %s: %d sent, %d succeeded (slowest %v), failed: %s", kind, where, tl.sent, tl.acked, ms(tl.slowest), tl.failed)
		for _, class := range slices.Sorted(maps.Keys(tl.example)) {
			t.Logf("  for example %s: %s", class, tl.example[class])
		}
	}
}
