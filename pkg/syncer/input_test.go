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
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// cloudcorePod returns a cloudcore pod with the chart's labels.
func cloudcorePod(name, ip string, ready bool) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cloudcore.Namespace, Labels: map[string]string{"k8s-app": "kubeedge", "kubeedge": "cloudcore"}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			PodIP:      ip,
			PodIPs:     []corev1.PodIP{{IP: ip}},
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
		},
	}
}

// cloudcoreService returns the cloudcore Service with a ClusterIP.
func cloudcoreService(clusterIP string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: cloudcore.ServiceName, Namespace: cloudcore.Namespace},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: clusterIP, ClusterIPs: []string{clusterIP}},
	}
}

// TestDefaultTarget checks where the default target comes from when none is configured: a ready cloudcore pod,
// then a record with a single cloudcore, then the Service's ClusterIP.
func TestDefaultTarget(t *testing.T) {
	single := tunnelPortCM(`{"ipTunnelPort":{"10.0.1.3":10351}}`)
	tests := []struct {
		name       string
		flag       string
		objects    []runtime.Object
		want       string
		wantSource string
	}{
		{"flag wins", "10.0.1.9", []runtime.Object{cloudcorePod("cc-0", "10.0.1.4", true)}, "10.0.1.9", TargetSourceFlag},
		{"ready pod", "", []runtime.Object{cloudcorePod("cc-1", "10.0.1.5", true), cloudcorePod("cc-0", "10.0.1.4", false), single, cloudcoreService("10.96.0.10")}, "10.0.1.5", TargetSourcePod},
		{"single recorded cloudcore", "", []runtime.Object{cloudcorePod("cc-0", "10.0.1.4", false), single, cloudcoreService("10.96.0.10")}, "10.0.1.3", TargetSourceTunnelPort},
		{"two recorded cloudcores: service", "", []runtime.Object{tunnelPortCM(twoCloudcores), cloudcoreService("10.96.0.10")}, "10.96.0.10", TargetSourceService},
		{"headless service: none", "", []runtime.Object{cloudcoreService("None")}, "", ""},
		{"nothing", "", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) {
				if tt.flag != "" {
					c.DefaultTarget = netip.MustParseAddr(tt.flag)
				}
			}, append(tt.objects, edgeNode("edge-c", "10.1.0.3", forwarding.UnnegotiatedPort))...)
			h.start()
			var want []forwarding.Rule
			if tt.want != "" {
				want = append(want, rule("edge-c", "10.1.0.3:10350", tt.want))
			}
			h.waitRules("default target", want...)
			h.eventually("source reported", func() (bool, string) {
				st := h.s.heartbeatStatus()
				return st.DefaultTarget == tt.want && st.DefaultTargetSource == tt.wantSource, st.DefaultTarget + " from " + st.DefaultTargetSource
			})
		})
	}
}

// TestCloudCoreAddressesAreWithheld checks that an edge node using a cloudcore address (advertise address,
// Service IP or pod IP) is a CloudCoreIP conflict.
func TestCloudCoreAddressesAreWithheld(t *testing.T) {
	cfg := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: cloudcore.ConfigMapName, Namespace: cloudcore.Namespace},
		Data: map[string]string{cloudcore.ConfigKey: `apiVersion: cloudcore.config.kubeedge.io/v1alpha2
kind: CloudCore
modules:
  cloudHub:
    advertiseAddress:
    - 10.2.0.1
`},
	}
	h := newHarness(t, func(c *Config) {
		c.DefaultTarget = netip.MustParseAddr(cloudcoreA)
		c.ResyncPeriod = 50 * time.Millisecond
	},
		cfg, cloudcoreService("10.2.0.2"), cloudcorePod("cc-0", "10.2.0.3", false),
		edgeNode("on-advertise", "10.2.0.1", 10350),
		edgeNode("on-service", "10.2.0.2", 10350),
		edgeNode("on-pod", "10.2.0.3", 10350),
		edgeNode("ok", "10.2.0.4", 10350),
	)
	h.start()
	h.waitRules("cloudcore addresses withheld", rule("ok", "10.2.0.4:10350", cloudcoreA))
	h.eventually("conflicts", func() (bool, string) {
		n := 0
		for _, e := range h.events.all() {
			if e.Reason == EventReasonIPConflict {
				n++
			}
		}
		return n == 3, ""
	})
}
