package edgenode

// This file is a copy of pkg/edgeview/realistic_nodes_test.go (test helpers cannot be
// imported across packages); TestRealisticNodeGeneratorsInSync fails when the two
// copies differ below their import line.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// realisticReadiness is the Ready condition a generated Node reports.
type realisticReadiness int

const (
	// realisticReady is a node whose agent posts Ready=True.
	realisticReady realisticReadiness = iota
	// realisticUnknown is a node whose agent stopped posting status, as the node lifecycle controller marks it.
	realisticUnknown
)

// realisticZones is how many topology zones the generated nodes spread over, so a zone selector matches 1/realisticZones of them.
const realisticZones = 10

// realisticEpoch is the fixed instant generated timestamps are relative to.
var realisticEpoch = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// realisticNodeName is the name of generated Node i: edge-node-NNNNNN for edge nodes, cloud-node-NNNNNN otherwise.
func realisticNodeName(i int, edge bool) string {
	if edge {
		return fmt.Sprintf("edge-node-%06d", i)
	}
	return fmt.Sprintf("cloud-node-%06d", i)
}

// realisticZone is the topology.kubernetes.io/zone label value of generated Node i.
func realisticZone(i int) string {
	return fmt.Sprintf("zone-%d", i%realisticZones)
}

// fresh returns a private copy of s, as a decoder allocates every string it reads.
func fresh(s string) string { return strings.Clone(s) }

// mix is splitmix64: a cheap deterministic hash that gives every node distinct IDs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// realisticUUID derives an RFC 4122-shaped identifier from i and salt.
func realisticUUID(i int, salt uint64) string {
	a, b := mix(uint64(i)*4+salt), mix(uint64(i)*4+salt+0x5555)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, uint16(b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}

// realisticNode returns Node i as a KubeEdge edge node (edged) or, with edge false, as a
// kubelet reports it: about 14 labels, annotations, two managedFields entries, a taint,
// capacity, five conditions, addresses, nodeInfo and ten images. Every string, map and
// slice is a new allocation, as when a decoder produces the object, so nothing is shared
// between nodes. rv is the resource version; readiness selects the Ready condition. Two
// calls that differ only in rv are the same node before and after a status heartbeat.
func realisticNode(i int, edge bool, rv int, readiness realisticReadiness) *corev1.Node {
	name := realisticNodeName(i, edge)
	h := mix(uint64(i))
	arch, kernel, osImage, instanceType := "arm64", "5.15.0-1049-raspi", "Ubuntu 22.04.4 LTS", "rpi4-8g"
	if h%3 == 0 {
		arch, kernel, osImage, instanceType = "amd64", "6.8.0-49-generic", "Ubuntu 24.04.1 LTS", "nuc-i5-16g"
	}
	agent, role := "edgecore", "node-role.kubernetes.io/edge"
	kubeletVersion := "v1.31.5-kubeedge-v1.23.1"
	if !edge {
		agent, role, kubeletVersion = "kubelet", "node-role.kubernetes.io/worker", "v1.31.5"
	}
	created := realisticEpoch.Add(-time.Duration(i%50000) * time.Minute)
	// Each resource version is a status post, so the heartbeat moves with rv; the Ready
	// transition time depends only on readiness, so a post that keeps it is a pure heartbeat.
	heartbeat := realisticEpoch.Add(time.Duration(rv)*time.Millisecond - time.Duration(h%40)*time.Second)
	readyTransition := created.Add(time.Duration(readiness) * time.Hour)
	ip := fmt.Sprintf("10.%d.%d.%d", 64+i>>16&0x3f, i>>8&0xff, i&0xff)

	labels := map[string]string{}
	labels[fresh("beta.kubernetes.io/arch")] = fresh(arch)
	labels[fresh("beta.kubernetes.io/instance-type")] = fresh(instanceType)
	labels[fresh("beta.kubernetes.io/os")] = fresh("linux")
	labels[fresh("kubernetes.io/arch")] = fresh(arch)
	labels[fresh("kubernetes.io/hostname")] = fresh(name)
	labels[fresh("kubernetes.io/os")] = fresh("linux")
	labels[fresh(role)] = ""
	if edge {
		labels[fresh("node-role.kubernetes.io/agent")] = ""
	}
	labels[fresh("node.kubernetes.io/instance-type")] = fresh(instanceType)
	labels[fresh("topology.kubernetes.io/region")] = fmt.Sprintf("region-%d", i%3)
	labels[fresh("topology.kubernetes.io/zone")] = realisticZone(i)
	labels[fresh("apps.kubeedge.io/belonging-to")] = fmt.Sprintf("nodegroup-%03d", i/1000)
	labels[fresh("example.com/site")] = fmt.Sprintf("site-%05d", i/40)
	labels[fresh("example.com/rack")] = fmt.Sprintf("rack-%02d", i%40)

	annotations := map[string]string{}
	annotations[fresh("node.alpha.kubernetes.io/ttl")] = fresh("0")
	annotations[fresh("volumes.kubernetes.io/controller-managed-attach-detach")] = fresh("true")
	annotations[fresh("example.com/asset-tag")] = fmt.Sprintf("AT-%08d", h%100000000)

	n := &corev1.Node{
		TypeMeta: metav1.TypeMeta{},
		ObjectMeta: metav1.ObjectMeta{
			Name:              name,
			UID:               types.UID(realisticUUID(i, 1)),
			ResourceVersion:   strconv.Itoa(rv),
			CreationTimestamp: metav1.NewTime(created),
			Labels:            labels,
			Annotations:       annotations,
			ManagedFields: []metav1.ManagedFieldsEntry{
				{
					Manager:    fresh(agent),
					Operation:  metav1.ManagedFieldsOperationUpdate,
					APIVersion: fresh("v1"),
					Time:       &metav1.Time{Time: created},
					FieldsType: fresh("FieldsV1"),
					FieldsV1:   metav1.NewFieldsV1(managedMetadataFields),
				},
				{
					Manager:     fresh(agent),
					Operation:   metav1.ManagedFieldsOperationUpdate,
					APIVersion:  fresh("v1"),
					Time:        &metav1.Time{Time: heartbeat},
					FieldsType:  fresh("FieldsV1"),
					FieldsV1:    metav1.NewFieldsV1(managedStatusFields),
					Subresource: fresh("status"),
				},
			},
		},
		Spec: corev1.NodeSpec{
			PodCIDR:  fmt.Sprintf("10.%d.%d.0/24", 128+i>>16&0x3f, i>>8&0xff),
			PodCIDRs: []string{fmt.Sprintf("10.%d.%d.0/24", 128+i>>16&0x3f, i>>8&0xff)},
			Taints:   []corev1.Taint{{Key: fresh(role), Effect: corev1.TaintEffectNoSchedule}},
		},
		Status: corev1.NodeStatus{
			Capacity: corev1.ResourceList{
				corev1.ResourceName(fresh("cpu")):               resource.MustParse(strconv.Itoa(4 + int(h%4)*4)),
				corev1.ResourceName(fresh("memory")):            resource.MustParse(fmt.Sprintf("%dKi", 7995520+h%1024*4)),
				corev1.ResourceName(fresh("pods")):              resource.MustParse(fresh("110")),
				corev1.ResourceName(fresh("ephemeral-storage")): resource.MustParse(fmt.Sprintf("%dKi", 61202244+h%4096)),
			},
			Allocatable: corev1.ResourceList{
				corev1.ResourceName(fresh("cpu")):               resource.MustParse(strconv.Itoa(4 + int(h%4)*4)),
				corev1.ResourceName(fresh("memory")):            resource.MustParse(fmt.Sprintf("%dKi", 7893120+h%1024*4)),
				corev1.ResourceName(fresh("pods")):              resource.MustParse(fresh("110")),
				corev1.ResourceName(fresh("ephemeral-storage")): resource.MustParse(fmt.Sprintf("%d", 56403987978+h%4096)),
			},
			Conditions: []corev1.NodeCondition{
				realisticCondition(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available", heartbeat, created),
				realisticCondition(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure", heartbeat, created),
				realisticCondition(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available", heartbeat, created),
				realisticReadyCondition(edge, readiness, heartbeat, readyTransition),
				realisticCondition(corev1.NodeNetworkUnavailable, corev1.ConditionFalse, "RouteCreated", "RouteController created a route", heartbeat, created),
			},
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip},
				{Type: corev1.NodeHostName, Address: fresh(name)},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(10351 + i%5)}},
			NodeInfo: corev1.NodeSystemInfo{
				MachineID:               fmt.Sprintf("%016x%016x", mix(h), mix(h+1)),
				SystemUUID:              realisticUUID(i, 2),
				BootID:                  realisticUUID(i, 3),
				KernelVersion:           fresh(kernel),
				OSImage:                 fresh(osImage),
				ContainerRuntimeVersion: fresh("containerd://1.7.24"),
				KubeletVersion:          fresh(kubeletVersion),
				KubeProxyVersion:        fresh(kubeletVersion), //nolint:staticcheck // edged still reports it
				OperatingSystem:         fresh("linux"),
				Architecture:            fresh(arch),
			},
			Images: realisticImages(h),
		},
	}
	return n
}

// realisticCondition builds one node condition with freshly allocated strings.
func realisticCondition(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, message string, heartbeat, transition time.Time) corev1.NodeCondition {
	return corev1.NodeCondition{
		Type:               corev1.NodeConditionType(fresh(string(t))),
		Status:             corev1.ConditionStatus(fresh(string(s))),
		LastHeartbeatTime:  metav1.NewTime(heartbeat),
		LastTransitionTime: metav1.NewTime(transition),
		Reason:             fresh(reason),
		Message:            fresh(message),
	}
}

// realisticReadyCondition is the Ready condition edged, a kubelet or the node lifecycle controller reports.
func realisticReadyCondition(edge bool, readiness realisticReadiness, heartbeat, transition time.Time) corev1.NodeCondition {
	switch {
	case readiness == realisticUnknown:
		return realisticCondition(corev1.NodeReady, corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", heartbeat, transition)
	case edge:
		return realisticCondition(corev1.NodeReady, corev1.ConditionTrue, "EdgeReady", "edge is posting ready status", heartbeat, transition)
	default:
		return realisticCondition(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status", heartbeat, transition)
	}
}

// realisticImageNames are the repositories of the images every generated node holds.
var realisticImageNames = []string{
	"docker.io/kubeedge/installation-package", "docker.io/kubeedge/edgemesh-agent", "docker.io/library/eclipse-mosquitto",
	"registry.k8s.io/pause", "docker.io/kubeedge/mapper-modbus", "ghcr.io/example/telemetry-agent",
	"ghcr.io/example/video-analytics", "docker.io/library/nginx", "quay.io/prometheus/node-exporter", "docker.io/fluent/fluent-bit",
}

// realisticImages returns the ten images a node reports, each with a digest and a tag name.
func realisticImages(h uint64) []corev1.ContainerImage {
	images := make([]corev1.ContainerImage, 0, len(realisticImageNames))
	for j, repo := range realisticImageNames {
		d := mix(h + uint64(j))
		images = append(images, corev1.ContainerImage{
			Names: []string{
				fmt.Sprintf("%s@sha256:%016x%016x%016x%016x", repo, d, mix(d), mix(d+1), mix(d+2)),
				fmt.Sprintf("%s:v1.%d.%d", repo, j, d%10),
			},
			SizeBytes: int64(4<<20 + d%(200<<20)),
		})
	}
	return images
}

// managedMetadataFields is the FieldsV1 an agent's metadata and spec update records.
const managedMetadataFields = `{"f:metadata":{"f:annotations":{".":{},"f:node.alpha.kubernetes.io/ttl":{},` +
	`"f:volumes.kubernetes.io/controller-managed-attach-detach":{},"f:example.com/asset-tag":{}},"f:labels":{".":{},` +
	`"f:apps.kubeedge.io/belonging-to":{},"f:beta.kubernetes.io/arch":{},"f:beta.kubernetes.io/instance-type":{},` +
	`"f:beta.kubernetes.io/os":{},"f:example.com/rack":{},"f:example.com/site":{},"f:kubernetes.io/arch":{},` +
	`"f:kubernetes.io/hostname":{},"f:kubernetes.io/os":{},"f:node-role.kubernetes.io/agent":{},` +
	`"f:node-role.kubernetes.io/edge":{},"f:node.kubernetes.io/instance-type":{},"f:topology.kubernetes.io/region":{},` +
	`"f:topology.kubernetes.io/zone":{}}},"f:spec":{"f:podCIDR":{},"f:podCIDRs":{".":{},"v:\"10.128.0.0/24\"":{}},` +
	`"f:taints":{}}}`

// managedStatusFields is the FieldsV1 an agent's status update records.
const managedStatusFields = `{"f:status":{"f:addresses":{".":{},"k:{\"type\":\"Hostname\"}":{".":{},"f:address":{},` +
	`"f:type":{}},"k:{\"type\":\"InternalIP\"}":{".":{},"f:address":{},"f:type":{}}},"f:allocatable":{".":{},"f:cpu":{},` +
	`"f:ephemeral-storage":{},"f:memory":{},"f:pods":{}},"f:capacity":{".":{},"f:cpu":{},"f:ephemeral-storage":{},` +
	`"f:memory":{},"f:pods":{}},"f:conditions":{".":{},"k:{\"type\":\"DiskPressure\"}":{".":{},"f:lastHeartbeatTime":{},` +
	`"f:lastTransitionTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}},"k:{\"type\":\"MemoryPressure\"}":{` +
	`".":{},"f:lastHeartbeatTime":{},"f:lastTransitionTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}},` +
	`"k:{\"type\":\"NetworkUnavailable\"}":{".":{},"f:lastHeartbeatTime":{},"f:lastTransitionTime":{},"f:message":{},` +
	`"f:reason":{},"f:status":{},"f:type":{}},"k:{\"type\":\"PIDPressure\"}":{".":{},"f:lastHeartbeatTime":{},` +
	`"f:lastTransitionTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}},"k:{\"type\":\"Ready\"}":{".":{},` +
	`"f:lastHeartbeatTime":{},"f:lastTransitionTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}}},` +
	`"f:daemonEndpoints":{"f:kubeletEndpoint":{"f:Port":{}}},"f:images":{},"f:nodeInfo":{"f:architecture":{},` +
	`"f:bootID":{},"f:containerRuntimeVersion":{},"f:kernelVersion":{},"f:kubeProxyVersion":{},"f:kubeletVersion":{},` +
	`"f:machineID":{},"f:operatingSystem":{},"f:osImage":{},"f:systemUUID":{}}}}`
