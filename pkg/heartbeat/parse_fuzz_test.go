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
	"encoding/json"
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzParse checks that any annotation either fails to parse or yields a status that survives a round
// trip through the encoding the syncer writes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"nodeName":"cloud-1","entries":3,"conflictNodes":["a"]}`, `{"entries":-1}`, `[]`, `{"lastSyncTime":"x"}`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "l", Annotations: map[string]string{Annotation: raw}}}
		st, err := Parse(lease)
		if err != nil {
			return
		}
		data, err := json.Marshal(st)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", st, err)
		}
		lease.Annotations[Annotation] = string(data)
		again, err := Parse(lease)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", data, err)
		}
		if dataAgain, _ := json.Marshal(again); string(dataAgain) != string(data) {
			t.Errorf("round trip of %q: %s, then %s", raw, data, dataAgain)
		}
	})
}
