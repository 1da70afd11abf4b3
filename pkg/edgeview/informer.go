package edgeview

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// NewNodeInformer returns an informer on all Nodes whose store holds the EdgeNode views
// that view.Transform makes, not Nodes, and has no indexes: one small object per Node.
// Its store must only be read as *kubeedge.EdgeNode; register view as its event handler.
func NewNodeInformer(client kubernetes.Interface, view *Cache) (cache.SharedIndexInformer, error) {
	lw := cache.NewListWatchFromClient(client.CoreV1().RESTClient(), "nodes", metav1.NamespaceAll, fields.Everything())
	informer := cache.NewSharedIndexInformerWithOptions(lw, &corev1.Node{}, cache.SharedIndexInformerOptions{})
	if err := informer.SetTransform(view.Transform); err != nil {
		return nil, err
	}
	return informer, nil
}
