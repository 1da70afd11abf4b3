package edgeview

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// SlimNode is an informer transform that keeps only the Node fields EdgeWatcher reads,
// so that 100k Nodes fit in a small heap. Non-Node objects pass through unchanged.
func SlimNode(obj interface{}) (interface{}, error) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	slim := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:              node.Name,
			UID:               node.UID,
			ResourceVersion:   node.ResourceVersion,
			CreationTimestamp: node.CreationTimestamp,
			DeletionTimestamp: node.DeletionTimestamp,
			Labels:            node.Labels,
		},
		Status: corev1.NodeStatus{
			Addresses:       node.Status.Addresses,
			DaemonEndpoints: node.Status.DaemonEndpoints,
			NodeInfo:        corev1.NodeSystemInfo{KubeletVersion: node.Status.NodeInfo.KubeletVersion},
		},
	}
	if ready := readyCondition(node); ready != nil {
		c := *ready
		c.LastHeartbeatTime = metav1.Time{}
		slim.Status.Conditions = []corev1.NodeCondition{c}
	}
	return slim, nil
}

var _ cache.TransformFunc = SlimNode
