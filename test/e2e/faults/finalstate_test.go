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
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// checkAcknowledged proves that every acknowledged reservation still holds its name Lease (same UID for a
// create) and its address Lease, and is served through kube-apiserver with its address.
func checkAcknowledged(t *testing.T, attempts []attempt, windows []window) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	leases, err := reservationLeases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	served := finalList(t)
	checked := classCounts{}
	ambiguous := 0
	for _, a := range attempts {
		if !a.ok() {
			if reservationProblem(leases, a.name, a.ip, "") == "" {
				ambiguous++
			}
			continue
		}
		when := "before the outages"
		for _, w := range windows {
			switch {
			case w.met(a.start, a.end):
				when = "meeting the " + w.name + " outage"
			case a.start.After(w.recovered) && !strings.HasPrefix(when, "meeting"):
				when = "after the " + w.name + " outage"
			}
		}
		checked[when]++
		if p := reservationProblem(leases, a.name, a.ip, a.uid); p != "" {
			t.Errorf("%s (%s, acknowledged %s) was lost: %s", a.name, a.ip, when, p)
		}
		en, ok := served[a.name]
		switch {
		case !ok:
			t.Errorf("%s (acknowledged %s) is not served by edgenodes", a.name, when)
		case en.Spec.InternalIP != a.ip || (a.uid != "" && string(en.UID) != a.uid):
			t.Errorf("%s is served with IP %q UID %s, acknowledged with %s %s", a.name, en.Spec.InternalIP, en.UID, a.ip, a.uid)
		}
	}
	t.Logf("acknowledged reservations checked (name Lease, UID, address Lease, served): %s", checked)
	t.Logf("failed reservation requests whose reservation was made nonetheless (it holds until its TTL): %d", ambiguous)
}

// finalList lists edgenodes through kube-apiserver, by name.
func finalList(t *testing.T) map[string]v1alpha1.EdgeNode {
	t.Helper()
	var list v1alpha1.EdgeNodeList
	poll(t, time.Now(), "list edgenodes", func() string {
		o := do(aggregatedClient(t), http.MethodGet, cp.URL+edgeNodesPath, nil)
		if !o.ok() || json.Unmarshal(o.body, &list) != nil {
			return o.class() + " " + truncate(o.body)
		}
		return ""
	})
	out := make(map[string]v1alpha1.EdgeNode, len(list.Items))
	for _, en := range list.Items {
		out[en.Name] = en
	}
	return out
}

// checkInformers proves that every informer of the load ends with exactly the final state: the names, UIDs and
// phases a fresh list serves.
func checkInformers(t *testing.T, l *load) {
	t.Helper()
	want := map[string]string{}
	for name, en := range finalList(t) {
		want[name] = string(en.UID) + " " + string(en.Status.Phase)
	}
	for i, inf := range l.informers {
		took := poll(t, time.Now(), fmt.Sprintf("informer %d holds the final state", i), func() string {
			got := map[string]string{}
			for _, obj := range inf.GetStore().List() {
				en := obj.(*v1alpha1.EdgeNode)
				got[en.Name] = string(en.UID) + " " + string(en.Status.Phase)
			}
			if maps.Equal(got, want) {
				return ""
			}
			return fmt.Sprintf("%d objects, want %d", len(got), len(want))
		})
		t.Logf("informer %d holds the final state (%d edgenodes) %v after the load stopped", i, len(want), ms(took))
	}
}
