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
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/syncer"
	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/kernelstate"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// Issue 6, faults item 4, syncer side: the kubeedge/tunnelport record and the kubeedge/cloudcore ConfigMap
// deleted or corrupted, then restored, while the real syncer forwards two edge nodes owned by two cloudcores.

// objectsAdvertise is the cloudcore advertise address of the test's cloudcore.yaml; an edge node claims it.
const objectsAdvertise = "10.99.0.90"

// objectsCloudCoreYAML is a minimal cloudcore.yaml advertising objectsAdvertise.
const objectsCloudCoreYAML = `apiVersion: cloudcore.config.kubeedge.io/v1alpha2
kind: CloudCore
modules:
  cloudHub:
    advertiseAddress:
    - ` + objectsAdvertise + `
`

// holdPeriods is how many resync periods a broken object must leave the kernel unchanged.
const holdPeriods = 3

// TestSyncerSurvivesBrokenKubeEdgeObjects checks, with the real syncer, kube-apiserver and kernel:
//
//   - deleting the tunnelport record, or corrupting its JSON or its types, leaves every node on the cloudcore
//     that owns its port in the last good record (edge-b stays on cloudcore-2 although the default target is
//     cloudcore-1) for three resync periods, flips edgewatcher_syncer_dependency_ready to 0, counts one sync
//     error per broken version, logs one line per broken version, and keeps /healthz and /readyz at 200;
//   - a restored record (with new content, to show it is read) is forwarded within a bounded time and the
//     gauge returns to 1, with the same syncer process;
//   - deleting or corrupting the cloudcore ConfigMap never lets an edge node that claims a cloudcore advertise
//     address be forwarded.
func TestSyncerSurvivesBrokenKubeEdgeObjects(t *testing.T) {
	ctx := t.Context()
	host := faultTopology(t)
	kubeconfig := grantSyncerRBAC(t, ctx)
	restoreConfigMapsAtEnd(t, cloudcore.TunnelPortConfigMapName, cloudcore.ConfigMapName)
	applyTunnelPort(t, ctx, tunnelRecord)
	applyCloudCoreConfig(t, ctx, objectsCloudCoreYAML)
	for _, n := range []node{
		{name: "ko-cloud", ip: hostIPv4},
		{name: "ko-edge-a", edge: true, ip: "10.99.0.81", port: 10351},
		{name: "ko-edge-b", edge: true, ip: "10.99.0.82", port: 10352},
		{name: "ko-on-advertise", edge: true, ip: objectsAdvertise, port: 10351},
	} {
		applyNode(t, ctx, n)
	}
	s := startSyncer(t, kubeconfig, host.Name, "--node-name=ko-cloud", "--default-target="+cloudcore1,
		"--resync-period="+resync.String())
	pid := s.proc.Pid()
	owned := map[string]string{"10.99.0.81:10351": cloudcore1 + stream, "10.99.0.82:10352": cloudcore2 + stream}
	swapped := map[string]string{"10.99.0.81:10351": cloudcore2 + stream, "10.99.0.82:10352": cloudcore1 + stream}
	waitKernel(t, host, "initial state", 10*time.Second, owned)
	waitGauge(t, s, "tunnel-port-record", 1)
	waitGauge(t, s, "cloudcore-config", 1)

	step := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}
	cms := cp.Client().CoreV1().ConfigMaps(cloudcore.Namespace)
	breakRecord := func(t *testing.T, what string, brk func(), want map[string]string) {
		errorsBefore := syncErrors(t, s, syncer.StageTunnelPort)
		logBefore := strings.Count(s.log(), `dependency="tunnel-port-record"`)
		brk()
		samples := holdKernel(t, host, what, holdPeriods*resync, want)
		t.Logf("%s: kernel unchanged in %d samples over %v", what, samples, holdPeriods*resync)
		checkDestinations(t, host, want)
		checkGauge(t, s, "tunnel-port-record", 0)
		if got := syncErrors(t, s, syncer.StageTunnelPort); got != errorsBefore+1 {
			t.Errorf("%s: sync_errors_total{stage=tunnelport} went from %v to %v, want +1", what, errorsBefore, got)
		}
		if n := strings.Count(s.log(), `dependency="tunnel-port-record"`) - logBefore; n != 1 {
			t.Errorf("%s: %d log lines about the record over %d resync periods, want 1:\n%s", what, n, holdPeriods, s.tail(20))
		}
		checkHealthy(t, s)
	}
	restoreRecord := func(t *testing.T, what, record string, want map[string]string) {
		applyTunnelPort(t, ctx, record)
		restored := time.Now()
		took := waitKernel(t, host, what, 5*time.Second, want)
		waitGauge(t, s, "tunnel-port-record", 1)
		t.Logf("%s: kernel follows the restored record %v after the write, gauge 1 within %v",
			what, took.Round(time.Millisecond), time.Since(restored).Round(time.Millisecond))
		checkDestinations(t, host, want)
	}

	step("record deleted", func(t *testing.T) {
		breakRecord(t, "record deleted", func() {
			if err := cms.Delete(ctx, cloudcore.TunnelPortConfigMapName, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}, owned)
	})
	step("record restored with new owners", func(t *testing.T) {
		restoreRecord(t, "record restored", swappedTunnelRecord, swapped)
	})
	step("record JSON corrupted", func(t *testing.T) {
		breakRecord(t, "bad JSON", func() { applyTunnelPort(t, ctx, `{"ipTunnelPort":{`) }, swapped)
	})
	step("record types corrupted", func(t *testing.T) {
		breakRecord(t, "quoted port", func() { applyTunnelPort(t, ctx, `{"ipTunnelPort":{"`+cloudcore1+`":"10351"}}`) }, swapped)
	})
	step("record annotation removed", func(t *testing.T) {
		breakRecord(t, "no annotation", func() {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cloudcore.TunnelPortConfigMapName, Namespace: cloudcore.Namespace}}
			if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}, swapped)
	})
	step("record restored", func(t *testing.T) {
		restoreRecord(t, "original record", tunnelRecord, owned)
	})
	step("cloudcore ConfigMap deleted or corrupted keeps its advertise address withheld", func(t *testing.T) {
		for _, tc := range []struct {
			what string
			brk  func()
		}{
			{"deleted", func() {
				if err := cms.Delete(ctx, cloudcore.ConfigMapName, metav1.DeleteOptions{}); err != nil {
					t.Fatal(err)
				}
			}},
			{"bad YAML", func() { applyCloudCoreConfig(t, ctx, "modules: [\n") }},
		} {
			tc.brk()
			samples := holdKernel(t, host, "cloudcore ConfigMap "+tc.what, holdPeriods*resync, owned)
			t.Logf("cloudcore ConfigMap %s: %s never forwarded in %d samples over %v", tc.what, objectsAdvertise,
				samples, holdPeriods*resync)
			checkGauge(t, s, "cloudcore-config", 0)
			checkHealthy(t, s)
			applyCloudCoreConfig(t, ctx, objectsCloudCoreYAML)
			took := waitGauge(t, s, "cloudcore-config", 1)
			t.Logf("cloudcore ConfigMap restored: gauge 1 after %v", took.Round(time.Millisecond))
		}
		holdKernel(t, host, "cloudcore ConfigMap restored", resync, owned)
	})
	if got := s.proc.Pid(); got != pid || s.proc.Exited() {
		t.Errorf("syncer pid %d → %d (exited: %v); recovery must not need a restart", pid, got, s.proc.Exited())
	}
}

// applyCloudCoreConfig creates or replaces the kubeedge/cloudcore ConfigMap with cloudcore.yaml text.
func applyCloudCoreConfig(t *testing.T, ctx context.Context, yaml string) {
	t.Helper()
	cms := cp.Client().CoreV1().ConfigMaps(cloudcore.Namespace)
	want := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: cloudcore.ConfigMapName, Namespace: cloudcore.Namespace},
		Data:       map[string]string{cloudcore.ConfigKey: yaml},
	}
	_, err := cms.Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = cms.Update(ctx, want, metav1.UpdateOptions{})
	}
	if err != nil {
		t.Fatalf("applying the cloudcore ConfigMap: %v", err)
	}
}

// restoreConfigMapsAtEnd puts the named kubeedge ConfigMaps back as they are now (or deletes them if absent)
// when the test ends, since other tests share the control plane.
func restoreConfigMapsAtEnd(t *testing.T, names ...string) {
	t.Helper()
	cms := cp.Client().CoreV1().ConfigMaps(cloudcore.Namespace)
	for _, name := range names {
		before, err := cms.Get(t.Context(), name, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx := context.Background()
			_ = cms.Delete(ctx, name, metav1.DeleteOptions{})
			if before != nil {
				restored := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cloudcore.Namespace,
					Labels: before.Labels, Annotations: before.Annotations}, Data: before.Data}
				if _, err := cms.Create(ctx, restored, metav1.CreateOptions{}); err != nil {
					t.Errorf("restoring ConfigMap %s: %v", name, err)
				}
			}
		})
	}
}

// waitGauge polls /metrics until edgewatcher_syncer_dependency_ready{dependency=dep} is want, and returns how long
// that took.
func waitGauge(t *testing.T, s *syncerProc, dep string, want float64) time.Duration {
	t.Helper()
	start := time.Now()
	series := `edgewatcher_syncer_dependency_ready{dependency="` + dep + `"}`
	framework.Eventually(t, series+" = "+strconv.FormatFloat(want, 'g', -1, 64), 10*time.Second, func() (bool, string) {
		v, err := scrape(s, series)
		return err == nil && v == want, fmt.Sprintf("%v %v", v, err)
	})
	return time.Since(start)
}

// checkGauge requires edgewatcher_syncer_dependency_ready{dependency=dep} to be want now.
func checkGauge(t *testing.T, s *syncerProc, dep string, want float64) {
	t.Helper()
	series := `edgewatcher_syncer_dependency_ready{dependency="` + dep + `"}`
	if v, err := scrape(s, series); err != nil || v != want {
		t.Errorf("%s = %v %v, want %v", series, v, err, want)
	}
}

// syncErrors returns edgewatcher_syncer_sync_errors_total for a stage; 0 when the series is absent.
func syncErrors(t *testing.T, s *syncerProc, stage string) float64 {
	t.Helper()
	v, err := scrape(s, `edgewatcher_syncer_sync_errors_total{stage="`+stage+`"}`)
	if err != nil && !strings.Contains(err.Error(), "no series") {
		t.Fatal(err)
	}
	return v
}

// scrape reads one series from the syncer's /metrics.
func scrape(s *syncerProc, series string) (float64, error) {
	code, body, err := s.get("/metrics")
	if err != nil {
		return 0, fmt.Errorf("GET /metrics: %w", err)
	}
	if code != 200 {
		return 0, fmt.Errorf("GET /metrics: %d", code)
	}
	for l := range strings.Lines(body) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), series+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("no series %s", series)
}

// holdKernel reads the kernel continuously for d and fails on any sample that differs from want; it returns the
// number of samples.
func holdKernel(t *testing.T, ns *netns.Namespace, step string, d time.Duration, want map[string]string) int {
	t.Helper()
	samples := 0
	for end := time.Now().Add(d); time.Now().Before(end); samples++ {
		st, err := kernelstate.Read(ns)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if p := st.Problems(want); len(p) > 0 {
			t.Fatalf("%s: forwarding changed after %d samples:\n  %s", step, samples, strings.Join(p, "\n  "))
		}
	}
	if samples < 5 {
		t.Fatalf("%s: only %d kernel samples in %v", step, samples, d)
	}
	return samples
}

// checkDestinations dials every destination and checks that the cloudcore stand-in in want answers.
func checkDestinations(t *testing.T, ns *netns.Namespace, want map[string]string) {
	t.Helper()
	for dest, target := range want {
		body, err := get(ns, dest, "/containerLogs/default/p/c", true)
		if err != nil || !strings.HasPrefix(body, standInName(target)+" host="+dest) {
			t.Errorf("GET %s = %q %v, want an answer from %s", dest, body, err, standInName(target))
		}
	}
}

// checkHealthy requires 200 from /healthz and /readyz: a broken KubeEdge object is not a syncer failure.
func checkHealthy(t *testing.T, s *syncerProc) {
	t.Helper()
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body, err := s.get(path); err != nil || code != 200 {
			t.Errorf("GET %s = %d %q %v, want 200", path, code, body, err)
		}
	}
}
