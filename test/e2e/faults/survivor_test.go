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
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// checkServedBySurvivor proves that the surviving replica serves every acknowledged reservation through
// kube-apiserver with its UID and address.
func checkServedBySurvivor(t *testing.T, attempts []attempt) {
	t.Helper()
	client := aggregatedClient(t)
	for _, a := range attempts {
		if !a.ok() {
			continue
		}
		poll(t, time.Now(), "the survivor serves "+a.name, func() string {
			o := do(client, http.MethodGet, cp.URL+edgeNodesPath+"/"+a.name, nil)
			var en v1alpha1.EdgeNode
			if !o.ok() || json.Unmarshal(o.body, &en) != nil || en.Spec.InternalIP != a.ip || (a.uid != "" && string(en.UID) != a.uid) {
				return fmt.Sprintf("%s IP %q UID %q %s", o.class(), en.Spec.InternalIP, en.UID, truncate(o.body))
			}
			return ""
		})
	}
}

// reserveAgainThroughSurvivor reserves every name and address the victim was asked for, acknowledged or not,
// through kube-apiserver and the surviving replica.
func reserveAgainThroughSurvivor(t *testing.T, attempts []attempt) {
	t.Helper()
	client := aggregatedClient(t)
	var wg sync.WaitGroup
	work := make(chan attempt)
	var failed atomic.Int64
	for range 4 {
		wg.Go(func() {
			for a := range work {
				o, _, wrong := reserve(client, cp.URL, a.name, a.ip, false)
				if !o.ok() || wrong != "" {
					failed.Add(1)
					t.Errorf("reserving %s (%s) again through the survivor: %s %s %s", a.name, a.ip, o.class(), wrong, truncate(o.body))
				}
			}
		})
	}
	for _, a := range attempts {
		work <- a
	}
	close(work)
	wg.Wait()
	t.Logf("reserved all %d names and addresses again through the surviving replica: %d failed", len(attempts), failed.Load())
}
