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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
)

// watched holds the informers the loop reads: every Node, the two KubeEdge ConfigMaps, and cloudcore's
// Service and pods. Each namespaced informer is narrowed by a field or label selector to the objects it needs.
type watched struct {
	factories []informers.SharedInformerFactory
	synced    []cache.InformerSynced
	// nodeInformer and tunnelPortInformer are kept for benchmarks, which fill their stores directly.
	nodeInformer       cache.SharedIndexInformer
	tunnelPortInformer cache.SharedIndexInformer

	tunnelPort corelisters.ConfigMapLister
	cloudCore  corelisters.ConfigMapLister
	services   corelisters.ServiceLister
	pods       corelisters.PodLister
}

// newWatched creates the informers and routes every change to onChange, after passing each Node change to onNode.
func newWatched(c Config, podSelector labels.Selector, onChange func(), onNode func(obj any)) (*watched, error) {
	w := &watched{}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { onChange() },
		UpdateFunc: func(any, any) { onChange() },
		DeleteFunc: func(any) { onChange() },
	}
	nodeHandler := cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { onNode(obj); onChange() },
		UpdateFunc: func(oldObj, newObj any) {
			if forwardingChanged(oldObj, newObj) {
				onNode(newObj)
				onChange()
			}
		},
		DeleteFunc: func(obj any) { onNode(obj); onChange() },
	}
	nodeFactory := w.factory(c, metav1.NamespaceAll, func(*metav1.ListOptions) {})
	nodeInformer := nodeFactory.Core().V1().Nodes()
	if err := nodeInformer.Informer().SetTransform(slimNodeOf); err != nil {
		return nil, fmt.Errorf("node informer transform: %w", err)
	}
	w.nodeInformer = nodeInformer.Informer()

	byName := func(name string) func(*metav1.ListOptions) {
		return func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
		}
	}
	tunnelInformer := w.factory(c, c.Namespace, byName(cloudcore.TunnelPortConfigMapName)).Core().V1().ConfigMaps()
	w.tunnelPort = tunnelInformer.Lister()
	w.tunnelPortInformer = tunnelInformer.Informer()
	cloudCoreInformer := w.factory(c, c.Namespace, byName(cloudcore.ConfigMapName)).Core().V1().ConfigMaps()
	w.cloudCore = cloudCoreInformer.Lister()
	serviceInformer := w.factory(c, c.Namespace, byName(cloudcore.ServiceName)).Core().V1().Services()
	w.services = serviceInformer.Lister()
	podInformer := w.factory(c, c.Namespace, func(o *metav1.ListOptions) { o.LabelSelector = podSelector.String() }).Core().V1().Pods()
	w.pods = podInformer.Lister()

	for _, r := range []struct {
		inf     cache.SharedIndexInformer
		handler cache.ResourceEventHandler
	}{
		{w.nodeInformer, nodeHandler}, {tunnelInformer.Informer(), handler}, {cloudCoreInformer.Informer(), handler},
		{serviceInformer.Informer(), handler}, {podInformer.Informer(), handler},
	} {
		reg, err := r.inf.AddEventHandler(r.handler)
		if err != nil {
			return nil, fmt.Errorf("adding an event handler: %w", err)
		}
		w.synced = append(w.synced, r.inf.HasSynced, reg.HasSynced)
	}
	return w, nil
}

// factory returns a new informer factory for one namespace and list-option tweak; no periodic informer resync,
// the loop has its own.
func (w *watched) factory(c Config, namespace string, tweak func(*metav1.ListOptions)) informers.SharedInformerFactory {
	f := informers.NewSharedInformerFactoryWithOptions(c.Client, 0,
		informers.WithNamespace(namespace), informers.WithTweakListOptions(tweak))
	w.factories = append(w.factories, f)
	return f
}

// start starts every informer.
func (w *watched) start(ctx context.Context) {
	for _, f := range w.factories {
		f.Start(ctx.Done())
	}
}

// waitForSync waits until every informer has listed and delivered its initial objects; false if ctx ended first.
func (w *watched) waitForSync(ctx context.Context) bool {
	return cache.WaitForCacheSync(ctx.Done(), w.synced...)
}

// shutdown stops the informers and waits for their goroutines; ctx must already be done.
func (w *watched) shutdown() {
	for _, f := range w.factories {
		f.Shutdown()
	}
}

// node returns the cached slimNode of that name, or nil.
func (w *watched) node(name string) *slimNode {
	obj, ok, err := w.nodeInformer.GetIndexer().GetByKey(name)
	if err != nil || !ok {
		return nil
	}
	n, _ := obj.(*slimNode)
	return n
}

// storeVersion returns the Node resource version the node store reflects: every Node change up to it is in the
// store. The store sets it atomically with each change and with a relist's replacement of its contents; it is
// empty when the store cannot tell (client-go's AtomicFIFO feature gate is off) or before the first list.
func (w *watched) storeVersion() string {
	return w.nodeInformer.GetIndexer().LastStoreSyncResourceVersion()
}

// listNodes returns every cached slimNode.
func (w *watched) listNodes() []*slimNode {
	objs := w.nodeInformer.GetIndexer().List()
	out := make([]*slimNode, 0, len(objs))
	for _, obj := range objs {
		if n, ok := obj.(*slimNode); ok {
			out = append(out, n)
		}
	}
	return out
}
