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

// Package edgeview maintains EdgeNodes as a watchable view over core Nodes.
package edgeview

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// EdgeRoleLabel marks a Node as a KubeEdge edge node; KubeEdge sets it with an empty value.
const EdgeRoleLabel = "node-role.kubernetes.io/edge"

// IsEdgeNode reports whether node carries the edge role label.
func IsEdgeNode(node *corev1.Node) bool {
	_, ok := node.Labels[EdgeRoleLabel]
	return ok
}

// FromNode converts a core Node into the EdgeNode view of a joined node.
func FromNode(node *corev1.Node) *kubeedge.EdgeNode {
	return newEntry(node, nil, nil).edgeNode()
}

// InternalIP returns the first InternalIP address of node, or "" if it has none.
func InternalIP(node *corev1.Node) string {
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

// KubeEdgeVersion extracts the KubeEdge release from a kubelet version that edged
// reports, such as "v1.31.5-kubeedge-v1.23.1"; other versions are returned unchanged.
func KubeEdgeVersion(kubeletVersion string) string {
	if _, kubeEdge, ok := strings.Cut(kubeletVersion, "-kubeedge-"); ok && kubeEdge != "" {
		return kubeEdge
	}
	return kubeletVersion
}

func readyCondition(node *corev1.Node) *corev1.NodeCondition {
	for i := range node.Status.Conditions {
		if node.Status.Conditions[i].Type == corev1.NodeReady {
			return &node.Status.Conditions[i]
		}
	}
	return nil
}

func readiness(s corev1.ConditionStatus) kubeedge.NodeReadiness {
	switch s {
	case corev1.ConditionTrue:
		return kubeedge.NodeReady
	case corev1.ConditionFalse:
		return kubeedge.NodeNotReady
	default:
		return kubeedge.NodeReadinessUnknown
	}
}

// conditionReason keeps metav1.Condition's requirement of a non-empty reason.
func conditionReason(reason string) string {
	if reason == "" {
		return "NodeStatusUnknown"
	}
	return reason
}
