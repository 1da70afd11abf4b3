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

package heartbeat

import (
	"strings"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

func TestObservedNodes(t *testing.T) {
	for _, tc := range []struct {
		annotation string
		rv         uint64
		ok         bool
	}{
		{`{"nodeName":"cp","observedNodeResourceVersion":"1234"}`, 1234, true},
		{`{"nodeName":"cp"}`, 0, false}, // a syncer from before the field
		{`{"nodeName":"cp","observedNodeResourceVersion":""}`, 0, false},
		{`{"nodeName":"cp","observedNodeResourceVersion":"abc"}`, 0, false},
		{`{"nodeName":"cp","observedNodeResourceVersion":"-1"}`, 0, false},
		{`{"nodeName":"cp","observedNodeResourceVersion":"18446744073709551616"}`, 0, false}, // overflows uint64
	} {
		lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "l", Annotations: map[string]string{Annotation: tc.annotation}}}
		st, err := Parse(lease)
		if err != nil {
			t.Fatalf("%s: %v", tc.annotation, err)
		}
		if rv, ok := st.ObservedNodes(); rv != tc.rv || ok != tc.ok {
			t.Errorf("%s: ObservedNodes() = %d, %v; want %d, %v", tc.annotation, rv, ok, tc.rv, tc.ok)
		}
	}
}
