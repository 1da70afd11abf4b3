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

package clusterstate

import (
	"context"
	"net/netip"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
)

// Names of the KubeEdge objects the join flow reads.
const (
	CloudCoreName = "cloudcore"
)

// Options configure a State.
type Options struct {
	// Namespace is where cloudcore and its objects live.
	Namespace string
	// CloudCorePodSelector selects the cloudcore pods; empty skips them.
	CloudCorePodSelector string
	// ServiceCIDRs are configured Service CIDRs, used with or instead of the ServiceCIDR API.
	ServiceCIDRs []netip.Prefix
	// WatchServiceCIDRs reads networking.k8s.io/v1 ServiceCIDRs.
	WatchServiceCIDRs bool
	// WatchCASecret reads kubeedge/casecret, needed only to mint tokens.
	WatchCASecret bool
}

// State implements join.ClusterState from informers.
type State struct {
	opts      Options
	nodes     cache.Store
	index     *ipam.Index
	informers map[string]cache.SharedIndexInformer
	pods      cache.SharedIndexInformer
	cidrs     cache.SharedIndexInformer
	mu        sync.Mutex
	synced    []cache.InformerSynced
	// lastAdvertised are the advertise addresses of the last cloudcore.yaml that parsed.
	lastAdvertised []netip.Addr
	// onChange are called after any watched object changed.
	onChange []func()
}

var _ join.ClusterState = &State{}

// New returns a State; nodes is the Node informer's store, keyed by Node name.
func New(client kubernetes.Interface, nodes cache.Store, index *ipam.Index, opts Options) *State {
	s := &State{opts: opts, nodes: nodes, index: index, informers: map[string]cache.SharedIndexInformer{}}
	core := client.CoreV1().RESTClient()
	s.named(core, "configmaps", CloudCoreName, &corev1.ConfigMap{})
	s.named(core, "configmaps", join.LegacyConfigName, &corev1.ConfigMap{})
	s.named(core, "services", CloudCoreName, &corev1.Service{})
	s.named(core, "secrets", jointoken.TokenSecretName, &corev1.Secret{})
	if opts.WatchCASecret {
		s.named(core, "secrets", jointoken.CASecretName, &corev1.Secret{})
	}
	if opts.CloudCorePodSelector != "" {
		lw := cache.NewFilteredListWatchFromClient(core, "pods", opts.Namespace, func(o *metav1.ListOptions) {
			o.LabelSelector = opts.CloudCorePodSelector
		})
		s.pods = cache.NewSharedIndexInformerWithOptions(lw, &corev1.Pod{}, cache.SharedIndexInformerOptions{})
	}
	if opts.WatchServiceCIDRs {
		lw := cache.NewListWatchFromClient(client.NetworkingV1().RESTClient(), "servicecidrs", metav1.NamespaceAll, fields.Everything())
		s.cidrs = cache.NewSharedIndexInformerWithOptions(lw, &networkingv1.ServiceCIDR{}, cache.SharedIndexInformerOptions{})
	}
	return s
}

// named adds an informer on the single object resource/name in the namespace.
func (s *State) named(c rest.Interface, resource, name string, obj runtime.Object) {
	lw := cache.NewFilteredListWatchFromClient(c, resource, s.opts.Namespace, func(o *metav1.ListOptions) {
		o.FieldSelector = "metadata.name=" + name
	})
	s.informers[resource+"/"+name] = cache.NewSharedIndexInformerWithOptions(lw, obj, cache.SharedIndexInformerOptions{})
}

// OnChange registers fn to run after any watched object changes; call it before Run.
func (s *State) OnChange(fn func()) {
	s.onChange = append(s.onChange, fn)
}

// changed re-indexes the cloudcore addresses and runs the OnChange hooks after a watched object changed.
func (s *State) changed() {
	s.indexCloudCore()
	for _, fn := range s.onChange {
		fn()
	}
}

// Run starts the informers and keeps the cloudcore addresses indexed until ctx ends.
func (s *State) Run(ctx context.Context) error {
	refresh := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { s.changed() },
		UpdateFunc: func(interface{}, interface{}) { s.changed() },
		DeleteFunc: func(interface{}) { s.changed() },
	}
	all := make([]cache.SharedIndexInformer, 0, len(s.informers)+2)
	for _, inf := range s.informers {
		all = append(all, inf)
	}
	if s.pods != nil {
		all = append(all, s.pods)
	}
	if s.cidrs != nil {
		all = append(all, s.cidrs)
	}
	var synced []cache.InformerSynced
	for _, inf := range all {
		reg, err := inf.AddEventHandler(refresh)
		if err != nil {
			return err
		}
		synced = append(synced, reg.HasSynced)
		go inf.RunWithContext(ctx)
	}
	s.mu.Lock()
	s.synced = synced
	s.mu.Unlock()
	return nil
}

// Synced implements join.ClusterState.
func (s *State) Synced() bool {
	s.mu.Lock()
	synced := s.synced
	s.mu.Unlock()
	if synced == nil {
		return false
	}
	for _, f := range synced {
		if !f() {
			return false
		}
	}
	return true
}

// NodeExists implements join.ClusterState.
func (s *State) NodeExists(name string) bool {
	_, ok, err := s.nodes.GetByKey(name)
	return ok && err == nil
}

func (s *State) object(key string) interface{} {
	inf, ok := s.informers[key]
	if !ok {
		return nil
	}
	items := inf.GetStore().List()
	if len(items) != 1 {
		return nil
	}
	return items[0]
}

// CloudCoreConfig implements join.ClusterState.
func (s *State) CloudCoreConfig() *corev1.ConfigMap {
	cm, _ := s.object("configmaps/" + CloudCoreName).(*corev1.ConfigMap)
	return cm
}

// LegacyConfig implements join.ClusterState.
func (s *State) LegacyConfig() *corev1.ConfigMap {
	cm, _ := s.object("configmaps/" + join.LegacyConfigName).(*corev1.ConfigMap)
	return cm
}

// CloudCoreService implements join.ClusterState.
func (s *State) CloudCoreService() *corev1.Service {
	svc, _ := s.object("services/" + CloudCoreName).(*corev1.Service)
	return svc
}

// TokenSecret implements join.ClusterState.
func (s *State) TokenSecret() *corev1.Secret {
	sec, _ := s.object("secrets/" + jointoken.TokenSecretName).(*corev1.Secret)
	return sec
}

// CASecret implements join.ClusterState.
func (s *State) CASecret() *corev1.Secret {
	sec, _ := s.object("secrets/" + jointoken.CASecretName).(*corev1.Secret)
	return sec
}

// ServiceCIDRs implements join.ClusterState.
func (s *State) ServiceCIDRs() []netip.Prefix {
	out := append([]netip.Prefix(nil), s.opts.ServiceCIDRs...)
	if s.cidrs == nil {
		return out
	}
	for _, obj := range s.cidrs.GetStore().List() {
		sc, ok := obj.(*networkingv1.ServiceCIDR)
		if !ok {
			continue
		}
		for _, c := range sc.Spec.CIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				klog.V(2).InfoS("Ignoring an unparsable ServiceCIDR", "serviceCIDR", klog.KObj(sc), "cidr", c)
				continue
			}
			out = append(out, p.Masked())
		}
	}
	return out
}
