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
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/component-base/metrics"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	dataplanetesting "github.com/edgewatcher/edgewatcher/pkg/dataplane/testing"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Addresses used throughout the tests (documentation and private ranges).
const (
	cloudcoreA = "10.0.1.1"
	cloudcoreB = "10.0.1.2"
	hostIP     = "10.0.0.1"
)

// waitTimeout bounds every wait for the loop to react.
const waitTimeout = 10 * time.Second

// harness runs a Syncer against a fake clientset and the fake dataplane.
type harness struct {
	t        *testing.T
	client   *fake.Clientset
	dp       *dataplanetesting.FakeDataplane
	events   *eventLog
	registry metrics.KubeRegistry
	s        *Syncer
	cancel   context.CancelFunc
	done     chan error
}

// newHarness creates the syncer with the objects in the fake API; mutate adjusts the config. Run is not started.
func newHarness(t *testing.T, mutate func(*Config), objects ...runtime.Object) *harness {
	t.Helper()
	h := &harness{
		t:        t,
		client:   fake.NewClientset(objects...),
		dp:       dataplanetesting.NewFakeDataplane(),
		events:   &eventLog{},
		registry: metrics.NewKubeRegistry(),
	}
	cfg := Config{
		Client:        h.client,
		Dataplane:     h.dp,
		NodeName:      "cloud-1",
		HostAddresses: []netip.Addr{netip.MustParseAddr(hostIP)},
		ResyncPeriod:  time.Hour,
		Registry:      h.registry,
		Recorder:      h.events,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.s = s
	return h
}

// start runs the loop until the test ends.
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.s.Run(ctx) }()
	h.t.Cleanup(func() { h.stop() })
}

// stop cancels the loop and waits for Run to return, failing on an error.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(waitTimeout):
		h.t.Errorf("Run did not return after cancel")
	}
}

// waitRules waits until the fake dataplane holds exactly want.
func (h *harness) waitRules(step string, want ...forwarding.Rule) {
	h.t.Helper()
	slices.SortFunc(want, func(a, b forwarding.Rule) int { return a.Destination.Compare(b.Destination) })
	h.eventually(step, func() (bool, string) {
		got := h.dp.Rules()
		return slices.Equal(got, want), fmt.Sprintf("rules\n got %v\nwant %v", got, want)
	})
}

// eventually polls cond until it holds or waitTimeout passes.
func (h *harness) eventually(step string, cond func() (bool, string)) {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: timed out: %s", step, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kernelPasses counts the syncs that went to the kernel in full: full Applies and verifications.
func (h *harness) kernelPasses() int { return h.dp.Applies() + h.dp.Verifies() }

// updateNode replaces a Node's labels and status through the fake API.
func (h *harness) updateNode(n *corev1.Node) {
	h.t.Helper()
	if _, err := h.client.CoreV1().Nodes().Update(context.Background(), n, metav1.UpdateOptions{}); err != nil {
		h.t.Fatalf("update node %s: %v", n.Name, err)
	}
}

// createNode creates a Node through the fake API.
func (h *harness) createNode(n *corev1.Node) {
	h.t.Helper()
	if _, err := h.client.CoreV1().Nodes().Create(context.Background(), n, metav1.CreateOptions{}); err != nil {
		h.t.Fatalf("create node %s: %v", n.Name, err)
	}
}

// edgeNode returns an edge Node with an InternalIP and kubelet endpoint port.
func edgeNode(name, ip string, port int32) *corev1.Node {
	n := cloudNode(name, ip)
	n.Labels = map[string]string{EdgeRoleLabel: "", "node-role.kubernetes.io/agent": ""}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = port
	return n
}

// cloudNode returns a non-edge Node with an InternalIP.
func cloudNode(name, ip string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name)},
		Status: corev1.NodeStatus{
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}, {Type: corev1.NodeHostName, Address: name}},
		},
	}
}

// tunnelPortCM returns the kubeedge/tunnelport ConfigMap with the given record JSON.
func tunnelPortCM(record string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Name: cloudcore.TunnelPortConfigMapName, Namespace: cloudcore.Namespace,
		Annotations: map[string]string{cloudcore.TunnelPortAnnotation: record},
	}}
}

// twoCloudcores is a record where cloudcoreA owns 10351 and cloudcoreB owns 10352.
const twoCloudcores = `{"ipTunnelPort":{"` + cloudcoreA + `":10351,"` + cloudcoreB + `":10352},"port":{"10351":true,"10352":true}}`

// rule builds a rule to the stream port of target.
func rule(node, dest, target string) forwarding.Rule {
	return forwarding.Rule{
		Node:        node,
		Destination: netip.MustParseAddrPort(dest),
		Target:      netip.AddrPortFrom(netip.MustParseAddr(target), forwarding.DefaultStreamPort),
	}
}

// recordedEvent is one Event the syncer recorded.
type recordedEvent struct {
	Object, Type, Reason, Message string
}

// eventLog is a record.EventRecorder that keeps every Event with the name of its object.
type eventLog struct {
	mu     sync.Mutex
	events []recordedEvent
}

// Event implements record.EventRecorder.
func (l *eventLog) Event(object runtime.Object, eventtype, reason, message string) {
	name := ""
	if m, err := metaName(object); err == nil {
		name = m
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, recordedEvent{Object: name, Type: eventtype, Reason: reason, Message: message})
}

// Eventf implements record.EventRecorder.
func (l *eventLog) Eventf(object runtime.Object, eventtype, reason, messageFmt string, args ...any) {
	l.Event(object, eventtype, reason, fmt.Sprintf(messageFmt, args...))
}

// AnnotatedEventf implements record.EventRecorder.
func (l *eventLog) AnnotatedEventf(object runtime.Object, _ map[string]string, eventtype, reason, messageFmt string, args ...any) {
	l.Eventf(object, eventtype, reason, messageFmt, args...)
}

// list returns the events recorded so far, as "object type reason" strings, sorted.
func (l *eventLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.events))
	for i, e := range l.events {
		out[i] = strings.Join([]string{e.Object, e.Type, e.Reason}, " ")
	}
	slices.Sort(out)
	return out
}

// all returns a copy of the recorded events.
func (l *eventLog) all() []recordedEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// metaName returns the name of a Node or an ObjectReference.
func metaName(obj runtime.Object) (string, error) {
	switch o := obj.(type) {
	case *corev1.Node:
		return o.Name, nil
	case *corev1.ObjectReference:
		return o.Name, nil
	}
	return "", fmt.Errorf("unexpected object %T", obj)
}
