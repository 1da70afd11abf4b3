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
	"errors"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// Dependencies of the syncer on KubeEdge objects, the values of the dependency label of
// edgewatcher_syncer_dependency_ready.
const (
	// DependencyTunnelPortRecord is the kubeedge/tunnelport record: which cloudcore owns each tunnel port.
	DependencyTunnelPortRecord = "tunnel-port-record"
	// DependencyCloudCoreConfig is cloudcore.yaml in the kubeedge/cloudcore ConfigMap: the advertise addresses.
	DependencyCloudCoreConfig = "cloudcore-config"
)

// errAbsent is what a parse function returns when the object holds no value yet, which counts as absent.
var errAbsent = errors.New("not found")

// keptObject keeps the last version of a KubeEdge ConfigMap that parsed: deleting or corrupting the object never
// changes what the syncer uses, restoring it does. Each broken version is counted and logged once, a recovery is
// logged once, and the dependency gauge says whether the current object is in use. Used by the sync worker only.
type keptObject[T any] struct {
	// dependency labels the gauge and the logs; stage labels the sync error counter.
	dependency, stage string
	// namespace and name locate the ConfigMap, for logs.
	namespace, name string
	// absentNote is logged when the object is absent and no good version was ever seen.
	absentNote string
	parse      func(*corev1.ConfigMap) (*T, error)
	metrics    *syncerMetrics

	good *T
	// from is the cached object last looked at, nil when it was absent; the informer replaces the object on
	// every change, so the same pointer means the same version.
	from *corev1.ConfigMap
	// observed says from holds a state already reported; ready says the current object is in use.
	observed, ready bool
}

// value returns the last good value, nil when none was ever seen.
func (k *keptObject[T]) value() *T { return k.good }

// observe takes the cached object (nil when it does not exist) and returns the value to use.
func (k *keptObject[T]) observe(cm *corev1.ConfigMap) *T {
	if k.observed && cm == k.from {
		return k.good
	}
	recovered := k.observed && !k.ready
	k.observed, k.from = true, cm
	v, err, rv := (*T)(nil), errAbsent, ""
	if cm != nil {
		v, err = k.parse(cm)
		rv = cm.ResourceVersion
	}
	k.ready = err == nil
	ready := 0.0
	if k.ready {
		ready = 1
	}
	k.metrics.dependencyReady.WithLabelValues(k.dependency).Set(ready)
	kv := []any{"dependency", k.dependency, "configMap", klog.KRef(k.namespace, k.name), "resourceVersion", rv}
	switch {
	case err == nil:
		k.good = v
		if recovered {
			klog.InfoS("KubeEdge object usable again", kv...)
		}
	case errors.Is(err, errAbsent) && k.good == nil:
		klog.InfoS(k.absentNote, kv...)
	case k.good == nil:
		k.metrics.syncErrors.WithLabelValues(k.stage).Inc()
		klog.ErrorS(err, "KubeEdge object unusable and no good version seen since start", kv...)
	default:
		k.metrics.syncErrors.WithLabelValues(k.stage).Inc()
		klog.ErrorS(err, "KubeEdge object unusable; keeping its last good version until it is restored", kv...)
	}
	return k.good
}
