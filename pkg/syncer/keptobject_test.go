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
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/testutil"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/test/klogtest"
)

// TestKeptObjectStates walks the tunnelport record through every state: the value in use, the gauge, the
// error counter and the log lines.
func TestKeptObjectStates(t *testing.T) {
	logs := klogtest.Capture(t)
	m := newMetrics(metrics.NewKubeRegistry())
	k := newLastGood(cloudcore.Namespace, m).tunnelPort
	good := tunnelPortCM(twoCloudcores)
	moved := tunnelPortCM(`{"ipTunnelPort":{"` + cloudcoreA + `":10352}}`)
	bad := tunnelPortCM(`{"ipTunnelPort":{`)
	bare := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cloudcore.TunnelPortConfigMapName, Namespace: cloudcore.Namespace}}
	steps := []struct {
		name      string
		cm        *corev1.ConfigMap
		wantOwner string // owner of 10352 in the value in use; "" for none
		ready     float64
		errors    float64 // sync errors counted so far
		logs      int     // log lines naming the dependency so far
	}{
		{"absent at start: no record, not an error", nil, "", 0, 0, 1},
		{"annotation not written yet: still no record", bare, "", 0, 0, 2},
		{"record written", good, cloudcoreB, 1, 0, 3},
		{"same version again: nothing new", good, cloudcoreB, 1, 0, 3},
		{"malformed: last good kept", bad, cloudcoreB, 0, 1, 4},
		{"same malformed version: counted once", bad, cloudcoreB, 0, 1, 4},
		{"deleted: last good kept", nil, cloudcoreB, 0, 2, 5},
		{"still deleted", nil, cloudcoreB, 0, 2, 5},
		{"annotation removed: last good kept", bare, cloudcoreB, 0, 3, 6},
		{"restored with a new owner", moved, cloudcoreA, 1, 3, 7},
	}
	for _, st := range steps {
		rec := k.observe(st.cm)
		owner := ""
		if rec != nil {
			if a, ok := rec.CloudcoreFor(10352); ok {
				owner = a.String()
			}
		}
		ready, _ := testutil.GetGaugeMetricValue(m.dependencyReady.WithLabelValues(DependencyTunnelPortRecord))
		errs, _ := testutil.GetCounterMetricValue(m.syncErrors.WithLabelValues(StageTunnelPort))
		klog.Flush()
		lines := strings.Count(logs.String(), `dependency="tunnel-port-record"`)
		if owner != st.wantOwner || ready != st.ready || errs != st.errors || lines != st.logs {
			t.Errorf("%s: owner %q ready %v errors %v log lines %d; want %q %v %v %d\n%s", st.name, owner, ready, errs,
				lines, st.wantOwner, st.ready, st.errors, st.logs, logs.String())
		}
	}
	for _, want := range []string{"No tunnel-port record yet", "keeping its last good version", "KubeEdge object usable again"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestBrokenCloudCoreConfigKeepsAdvertiseAddressesWithheld checks that deleting or corrupting the cloudcore
// ConfigMap never forwards an edge node that claims a cloudcore advertise address.
func TestBrokenCloudCoreConfigKeepsAdvertiseAddressesWithheld(t *testing.T) {
	cfg := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: cloudcore.ConfigMapName, Namespace: cloudcore.Namespace},
		Data:       map[string]string{cloudcore.ConfigKey: "modules:\n  cloudHub:\n    advertiseAddress: [10.2.0.1]\n"},
	}
	h := newHarness(t, func(c *Config) { c.DefaultTarget = netip.MustParseAddr(cloudcoreA) },
		cfg, edgeNode("on-advertise", "10.2.0.1", 10350), edgeNode("ok", "10.2.0.4", 10350))
	h.start()
	h.waitRules("initial", rule("ok", "10.2.0.4:10350", cloudcoreA))
	cms := h.client.CoreV1().ConfigMaps(cloudcore.Namespace)
	broken := cfg.DeepCopy()
	broken.Data[cloudcore.ConfigKey] = "modules: ["
	for i, brk := range []func() error{
		func() error { return cms.Delete(context.Background(), cloudcore.ConfigMapName, metav1.DeleteOptions{}) },
		func() error { _, err := cms.Create(context.Background(), broken, metav1.CreateOptions{}); return err },
	} {
		if err := brk(); err != nil {
			t.Fatal(err)
		}
		h.eventually("gauge 0", func() (bool, string) {
			v, err := testutil.GetGaugeMetricValue(h.s.metrics.dependencyReady.WithLabelValues(DependencyCloudCoreConfig))
			return err == nil && v == 0, ""
		})
		// A Node change makes a sync that must still withhold the advertise address.
		later := edgeNode("later", "10.2.0.5", 10350)
		if i == 0 {
			h.createNode(later)
		} else {
			later.Status.Addresses[0].Address = "10.2.0.6"
			h.updateNode(later)
		}
		h.waitRules("advertise address still withheld",
			rule("later", later.Status.Addresses[0].Address+":10350", cloudcoreA), rule("ok", "10.2.0.4:10350", cloudcoreA))
	}
	if _, err := cms.Update(context.Background(), cfg, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eventually("gauge 1", func() (bool, string) {
		v, err := testutil.GetGaugeMetricValue(h.s.metrics.dependencyReady.WithLabelValues(DependencyCloudCoreConfig))
		return err == nil && v == 1, ""
	})
	if v, _ := testutil.GetCounterMetricValue(h.s.metrics.syncErrors.WithLabelValues(StageCloudCoreConfig)); v != 2 {
		t.Errorf("sync_errors_total{stage=cloudcore_config} = %v, want 2 (one deletion, one malformed version)", v)
	}
	if err := h.s.Ready(); err != nil {
		t.Errorf("Ready = %v: a broken KubeEdge object must not make the syncer unready", err)
	}
}
