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
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// cloudcoreConfig is the cloudcore ConfigMap with cloudcore.yaml text.
func cloudcoreConfig(yaml string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kubeedge", Name: CloudCoreName},
		Data:       map[string]string{"cloudcore.yaml": yaml},
	}
}

// TestBrokenCloudCoreConfigKeepsAdvertiseAddressesTaken checks that while the cloudcore ConfigMap is deleted or
// malformed, its last advertise addresses stay in the index, so no reservation can take them; a valid new
// version replaces them; every change reaches the OnChange hooks. The informer's store is filled directly, as
// its event handlers would see it.
func TestBrokenCloudCoreConfigKeepsAdvertiseAddressesTaken(t *testing.T) {
	idx := ipam.NewIndex()
	s := New(fake.NewClientset(), cache.NewStore(cache.MetaNamespaceKeyFunc), idx, Options{Namespace: "kubeedge"})
	changes := 0
	s.OnChange(func() { changes++ })
	store := s.informers["configmaps/"+CloudCoreName].GetStore()
	old, replaced := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")
	steps := []struct {
		name   string
		change func() error
		taken  []netip.Addr
		free   []netip.Addr
	}{
		{"no ConfigMap yet", func() error { return nil }, nil, []netip.Addr{old, replaced}},
		{"created", func() error {
			return store.Add(cloudcoreConfig("modules:\n  cloudHub:\n    advertiseAddress: [192.0.2.10]\n"))
		},
			[]netip.Addr{old}, []netip.Addr{replaced}},
		{"deleted", func() error { return store.Delete(cloudcoreConfig("")) }, []netip.Addr{old}, []netip.Addr{replaced}},
		{"recreated malformed", func() error { return store.Add(cloudcoreConfig("modules: [")) }, []netip.Addr{old}, []netip.Addr{replaced}},
		{"wrong type", func() error { return store.Update(cloudcoreConfig("modules:\n  cloudHub:\n    advertiseAddress: 7\n")) },
			[]netip.Addr{old}, []netip.Addr{replaced}},
		{"a valid new address", func() error {
			return store.Update(cloudcoreConfig("modules:\n  cloudHub:\n    advertiseAddress: [192.0.2.11]\n"))
		}, []netip.Addr{replaced}, []netip.Addr{old}},
	}
	for i, st := range steps {
		if err := st.change(); err != nil {
			t.Fatal(err)
		}
		s.changed()
		if changes != i+1 {
			t.Errorf("%s: OnChange ran %d times, want %d", st.name, changes, i+1)
		}
		for _, a := range st.taken {
			if !idx.IsTaken(a) {
				t.Errorf("%s: %s is free, want it taken by cloudcore", st.name, a)
			}
		}
		for _, a := range st.free {
			if idx.IsTaken(a) {
				t.Errorf("%s: %s is taken, want it free", st.name, a)
			}
		}
	}
}
