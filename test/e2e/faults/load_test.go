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
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/tools/cache"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/generated/clientset/versioned"
	"github.com/edgewatcher/edgewatcher/pkg/generated/informers/externalversions"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// loadPrefix starts the name of every reservation the load makes.
const loadPrefix = "load-"

// loadIP is the address the load reserves with its n-th name: 10.60.0.1, ..., 10.60.0.250, 10.60.1.1, ...
func loadIP(n int) string {
	return fmt.Sprintf("10.60.%d.%d", n/250, n%250+1)
}

// attempt is one reservation request of the load.
type attempt struct {
	outcome
	name, ip    string
	joinCommand bool
	// uid is the reservation's UID from an acknowledged create.
	uid string
}

// load keeps clients busy through kube-apiserver: reservers make reservations, listers list edgenodes and check
// every reservation of the load in the list, and informers list and watch edgenodes (re-listing and re-watching
// on their own after errors). ew's /readyz is polled throughout.
type load struct {
	client *http.Client
	next   atomic.Int64
	// stopClients ends the reservers, listers and /readyz polls; stopInformers the informers.
	stopClients, stopInformers context.CancelFunc
	clients, watchers          sync.WaitGroup

	mu sync.Mutex
	// sent holds when each reservation request was sent, answered or not yet.
	sent     []time.Time
	attempts []*attempt
	lists    []outcome
	readyz   []outcome
	problems []string

	informers []cache.SharedIndexInformer
}

// startLoad starts the clients and returns once the informers have synced.
func startLoad(t *testing.T, reservers, listers, watchers int) *load {
	t.Helper()
	ctx, stopClients := context.WithCancel(context.Background())
	informerCtx, stopInformers := context.WithCancel(context.Background())
	l := &load{client: aggregatedClient(t), stopClients: stopClients, stopInformers: stopInformers}
	t.Cleanup(func() {
		l.stop()
		l.stopInformers()
		l.watchers.Wait()
	})
	clientset, err := versioned.NewForConfig(cp.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	syncCtx, cancel := context.WithTimeout(informerCtx, time.Minute)
	defer cancel()
	for range watchers {
		inf := externalversions.NewSharedInformerFactory(clientset, 0).Kubeedge().V1alpha1().EdgeNodes().Informer()
		l.informers = append(l.informers, inf)
		l.watchers.Go(func() { inf.RunWithContext(informerCtx) })
		if !cache.WaitForCacheSync(syncCtx.Done(), inf.HasSynced) {
			t.Fatal("edgenodes informer did not sync within a minute")
		}
	}
	for range reservers {
		l.clients.Go(func() { l.reserveLoop(ctx) })
	}
	for range listers {
		l.clients.Go(func() { l.listLoop(ctx) })
	}
	readyzClient := replicaClient(t, ew)
	l.clients.Go(func() {
		for pause(ctx, 200*time.Millisecond) {
			o := do(readyzClient, http.MethodGet, ew.URL()+"/readyz", nil)
			l.mu.Lock()
			l.readyz = append(l.readyz, o)
			l.mu.Unlock()
		}
	})
	return l
}

// pause waits d and reports whether ctx is still live.
func pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// reserveLoop makes reservations with new names until ctx ends; every third one is a joincommand.
func (l *load) reserveLoop(ctx context.Context) {
	for ctx.Err() == nil {
		n := int(l.next.Add(1))
		a := &attempt{name: loadPrefix + strconv.Itoa(n), ip: loadIP(n), joinCommand: n%3 == 0}
		l.mu.Lock()
		l.sent = append(l.sent, time.Now())
		l.mu.Unlock()
		var wrong string
		a.outcome, a.uid, wrong = reserve(l.client, cp.URL, a.name, a.ip, a.joinCommand)
		l.mu.Lock()
		l.attempts = append(l.attempts, a)
		if wrong != "" {
			l.problems = append(l.problems, "wrong answer: "+wrong)
		}
		l.mu.Unlock()
		pause(ctx, 100*time.Millisecond)
	}
}

// listLoop lists edgenodes until ctx ends and checks that every reservation of the load in a list has the address
// it was made with.
func (l *load) listLoop(ctx context.Context) {
	for pause(ctx, 250*time.Millisecond) {
		o := do(l.client, http.MethodGet, cp.URL+edgeNodesPath, nil)
		var wrong []string
		if o.ok() {
			var list v1alpha1.EdgeNodeList
			if err := json.Unmarshal(o.body, &list); err != nil {
				wrong = append(wrong, "list is not an EdgeNodeList: "+truncate(o.body))
			}
			for _, en := range list.Items {
				n, err := strconv.Atoi(strings.TrimPrefix(en.Name, loadPrefix))
				if strings.HasPrefix(en.Name, loadPrefix) && (err != nil || en.Spec.InternalIP != loadIP(n) || en.Status.Phase != v1alpha1.EdgeNodePending) {
					wrong = append(wrong, fmt.Sprintf("list shows %s with IP %q, phase %q", en.Name, en.Spec.InternalIP, en.Status.Phase))
				}
			}
		}
		if o.ok() {
			o.body = nil // lists are large; keep only bodies that explain failures
		}
		l.mu.Lock()
		l.lists = append(l.lists, o)
		l.problems = append(l.problems, wrong...)
		l.mu.Unlock()
	}
}

// stop ends the reservers, listers and /readyz polls and waits for them; the informers keep watching. It is safe
// to call more than once.
func (l *load) stop() {
	l.stopClients()
	l.clients.Wait()
}

// snapshot returns copies of what the load recorded so far.
func (l *load) snapshot() (attempts []attempt, lists, readyz []outcome, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.attempts {
		attempts = append(attempts, *a)
	}
	return attempts, append([]outcome(nil), l.lists...), append([]outcome(nil), l.readyz...), append([]string(nil), l.problems...)
}

// acksSince counts acknowledged reservations that were sent at or after since.
func (l *load) acksSince(since time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.attempts {
		if a.ok() && !a.start.Before(since) {
			n++
		}
	}
	return n
}

// sentSince counts reservation requests sent at or after since, answered or not yet.
func (l *load) sentSince(since time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, at := range l.sent {
		if !at.Before(since) {
			n++
		}
	}
	return n
}

// waitAcks waits until n reservations sent at or after since were acknowledged.
func (l *load) waitAcks(t *testing.T, n int, since time.Time, timeout time.Duration) {
	t.Helper()
	framework.Eventually(t, fmt.Sprintf("%d reservations sent since %s acknowledged", n, since.Format(time.StampMilli)), timeout,
		func() (bool, string) {
			got := l.acksSince(since)
			return got >= n, fmt.Sprintf("%d acknowledged", got)
		})
}
