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

package syncer

import (
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/test/kernelstate"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// waitKernel polls the namespace until it forwards exactly want, and returns how long that took.
func waitKernel(t *testing.T, ns *netns.Namespace, step string, timeout time.Duration, want map[string]string) time.Duration {
	t.Helper()
	start := time.Now()
	var last []string
	var raw string
	for time.Since(start) < timeout {
		st, err := kernelstate.Read(ns)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if last = st.Problems(want); len(last) == 0 {
			return time.Since(start)
		}
		raw = st.Raw
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %v:\n  %s\nkernel state:\n%s", step, timeout, strings.Join(last, "\n  "), raw)
	return 0
}
