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

package framework

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// demoNode describes the varying parts of one demo Node.
type demoNode struct {
	name, ip, arch, osImage, kernel, runtime, kubelet string
	edge                                              bool
	port                                              int32
	ready                                             corev1.ConditionStatus
	reason, message                                   string
	cpu, memory                                       string
}

// demoNodeSpecs lists the demo Nodes: two KubeEdge edge nodes behind two cloudcore tunnel ports and one cloud node.
var demoNodeSpecs = []demoNode{
	{
		name: "edge-node-1", ip: "198.51.100.11", arch: "amd64", edge: true, port: 10351,
		osImage: "Ubuntu 22.04.5 LTS", kernel: "5.15.0-131-generic", runtime: "containerd://1.7.24",
		kubelet: "v1.31.5-kubeedge-v1.23.1", ready: corev1.ConditionTrue,
		reason: "EdgeReady", message: "edge is posting ready status", cpu: "4", memory: "8010236Ki",
	},
	{
		name: "edge-node-2", ip: "198.51.100.12", arch: "arm64", edge: true, port: 10352,
		osImage: "Debian GNU/Linux 12 (bookworm)", kernel: "6.1.0-31-arm64", runtime: "containerd://1.7.24",
		kubelet: "v1.31.5-kubeedge-v1.23.1", ready: corev1.ConditionFalse,
		reason: "KubeletNotReady", message: "container runtime is down: failed to connect to unix:///run/containerd/containerd.sock",
		cpu: "4", memory: "3884820Ki",
	},
	{
		name: "cloud-node-1", ip: DemoCloudCoreAddress, arch: "amd64", port: 10250,
		osImage: "Ubuntu 24.04.1 LTS", kernel: "6.8.0-51-generic", runtime: "containerd://2.0.2",
		kubelet: "v1.37.2", ready: corev1.ConditionTrue,
		reason: "KubeletReady", message: "kubelet is posting ready status", cpu: "8", memory: "16375060Ki",
	},
}

// demoNodes builds the demo Node objects, including the status SeedDemo writes through the status subresource.
func demoNodes(now time.Time) []*corev1.Node {
	heartbeat := metav1.NewTime(now.Truncate(time.Second))
	transition := metav1.NewTime(now.Add(-2 * time.Hour).Truncate(time.Second))
	nodes := make([]*corev1.Node, 0, len(demoNodeSpecs))
	for _, d := range demoNodeSpecs {
		labels := map[string]string{
			"kubernetes.io/hostname": d.name,
			"kubernetes.io/os":       "linux",
			"kubernetes.io/arch":     d.arch,
		}
		if d.edge {
			labels[EdgeRoleLabel] = ""
			labels["node-role.kubernetes.io/agent"] = ""
		} else {
			labels["node-role.kubernetes.io/control-plane"] = ""
		}
		capacity := corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse(d.cpu),
			corev1.ResourceMemory:           resource.MustParse(d.memory),
			corev1.ResourcePods:             resource.MustParse("110"),
			corev1.ResourceEphemeralStorage: resource.MustParse("61202244Ki"),
		}
		nodes = append(nodes, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: d.name, Labels: labels},
			Status: corev1.NodeStatus{
				Capacity:    capacity,
				Allocatable: capacity.DeepCopy(),
				Phase:       corev1.NodeRunning,
				Conditions: []corev1.NodeCondition{{
					Type:               corev1.NodeReady,
					Status:             d.ready,
					LastHeartbeatTime:  heartbeat,
					LastTransitionTime: transition,
					Reason:             d.reason,
					Message:            d.message,
				}},
				Addresses: []corev1.NodeAddress{
					{Type: corev1.NodeInternalIP, Address: d.ip},
					{Type: corev1.NodeHostName, Address: d.name},
				},
				DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: d.port}},
				NodeInfo: corev1.NodeSystemInfo{
					KernelVersion:           d.kernel,
					OSImage:                 d.osImage,
					ContainerRuntimeVersion: d.runtime,
					KubeletVersion:          d.kubelet,
					OperatingSystem:         "linux",
					Architecture:            d.arch,
				},
			},
		})
	}
	return nodes
}
