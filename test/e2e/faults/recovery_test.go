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
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// recoveryTimeout bounds each step of the recovery after a restart.
const recoveryTimeout = 90 * time.Second

// probes numbers the probe reservations and Nodes of the package.
var probes atomic.Int64

// recovery is how long after the restarted process was ready each part of the EdgeWatcher path worked again.
type recovery struct {
	// readyz is when edgewatcher-apiserver's own /readyz answered 200.
	readyz time.Duration
	// reserved is when a new reservation through kube-apiserver was acknowledged, after tries; failed counts how
	// the earlier tries failed.
	reserved time.Duration
	tries    int
	failed   classCounts
	// visible is when that reservation was served by a get through kube-apiserver and was in every informer.
	visible time.Duration
	// joined is when a Node registered after the restart was served as a Joined EdgeNode.
	joined time.Duration
}

// String reports the figures.
func (r recovery) String() string {
	return fmt.Sprintf("after ready: edgewatcher /readyz 200 at %v; first new reservation acknowledged at %v (try %d; earlier tries: %s); "+
		"served by get and every informer at %v; a new Node served as Joined at %v",
		ms(r.readyz), ms(r.reserved), r.tries, r.failed, ms(r.visible), ms(r.joined))
}

// poll calls cond every 100ms until it returns "", and returns when that was, measured from since. It fails the
// test with cond's last answer after recoveryTimeout.
func poll(t *testing.T, since time.Time, what string, cond func() string) time.Duration {
	t.Helper()
	deadline := time.Now().Add(recoveryTimeout)
	for {
		last := cond()
		if last == "" {
			return time.Since(since)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %s", what, recoveryTimeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// awaitRecovery proves the EdgeWatcher path works again after the named process was restarted: the registered
// replica is ready, a new reservation is acknowledged, served by get and seen by every informer of the load, and
// a new Node shows up as a Joined EdgeNode (so the replica's Node informer watches again).
func awaitRecovery(t *testing.T, l *load, name string, since time.Time) recovery {
	t.Helper()
	r := recovery{failed: classCounts{}}
	direct := replicaClient(t, ew)
	r.readyz = poll(t, since, "edgewatcher-apiserver /readyz", func() string {
		if o := do(direct, http.MethodGet, ew.URL()+"/readyz", nil); !o.ok() {
			return o.class() + " " + truncate(o.body)
		}
		return ""
	})

	var probe, uid string
	r.reserved = poll(t, since, "a new reservation through kube-apiserver", func() string {
		n := int(probes.Add(1))
		probe = fmt.Sprintf("probe-%s-%d", name, n)
		o, got, wrong := reserve(l.client, cp.URL, probe, fmt.Sprintf("10.62.0.%d", n), false)
		r.tries++
		switch {
		case wrong != "":
			t.Errorf("probe reservation: wrong answer: %s", wrong)
		case o.ok():
			uid = got
			return ""
		case o.unclear() != "":
			t.Errorf("probe reservation %s failed unclearly: %s", probe, o.unclear())
		}
		r.failed[o.class()]++
		return o.class() + " " + truncate(o.body)
	})

	r.visible = poll(t, since, "the new reservation served by get and in every informer", func() string {
		o := do(l.client, http.MethodGet, cp.URL+edgeNodesPath+"/"+probe, nil)
		var en v1alpha1.EdgeNode
		if !o.ok() || json.Unmarshal(o.body, &en) != nil || string(en.UID) != uid {
			return fmt.Sprintf("get %s: %s %s", probe, o.class(), truncate(o.body))
		}
		for i, inf := range l.informers {
			if _, ok, _ := inf.GetStore().GetByKey(probe); !ok {
				return fmt.Sprintf("informer %d does not have %s yet", i, probe)
			}
		}
		return ""
	})

	n := int(probes.Add(1))
	node := edgeNode{name: fmt.Sprintf("node-%s-%d", name, n), ip: fmt.Sprintf("10.62.1.%d", n), port: 10351}
	if err := applyEdgeNode(t, node, recoveryTimeout); err != nil {
		t.Fatalf("registering Node %s after the %s restart: %v", node.name, name, err)
	}
	r.joined = poll(t, since, "the new Node served as a Joined EdgeNode", func() string {
		o := do(l.client, http.MethodGet, cp.URL+edgeNodesPath+"/"+node.name, nil)
		var en v1alpha1.EdgeNode
		if !o.ok() || json.Unmarshal(o.body, &en) != nil || en.Status.Phase != v1alpha1.EdgeNodeJoined || en.Status.InternalIP != node.ip {
			return fmt.Sprintf("get %s: %s phase %q IP %q %s", node.name, o.class(), en.Status.Phase, en.Status.InternalIP, truncate(o.body))
		}
		return ""
	})
	return r
}
