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

package plugin

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// taintEffects are the effects a node taint may have.
var taintEffects = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}

// splitList splits each flag value at commas, so --label a=1,b=2 equals --label a=1 --label b=2;
// label and taint values cannot contain commas.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// parseLabels turns key=value items into node labels; the server validates their syntax.
func parseLabels(values []string) (map[string]string, error) {
	items := splitList(values)
	if len(items) == 0 {
		return nil, nil
	}
	labels := make(map[string]string, len(items))
	for _, item := range items {
		key, value, ok := strings.Cut(item, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("invalid label %q: want key=value", item)
		}
		if prev, dup := labels[key]; dup && prev != value {
			return nil, fmt.Errorf("label %q is given twice, as %q and %q", key, prev, value)
		}
		labels[key] = value
	}
	return labels, nil
}

// parseTaints turns key[=value]:Effect items, kubectl taint's syntax, into node taints.
func parseTaints(values []string) ([]v1alpha1.EdgeNodeTaint, error) {
	var taints []v1alpha1.EdgeNodeTaint
	for _, item := range splitList(values) {
		i := strings.LastIndex(item, ":")
		if i < 0 {
			return nil, fmt.Errorf("invalid taint %q: want key[=value]:Effect", item)
		}
		key, value, _ := strings.Cut(item[:i], "=")
		t := v1alpha1.EdgeNodeTaint{Key: key, Value: value, Effect: item[i+1:]}
		if t.Key == "" {
			return nil, fmt.Errorf("invalid taint %q: the key is empty", item)
		}
		if !slices.Contains(taintEffects, t.Effect) {
			return nil, fmt.Errorf("invalid taint %q: the effect must be one of %s", item, strings.Join(taintEffects, ", "))
		}
		for _, prev := range taints {
			if prev.Key == t.Key && prev.Effect == t.Effect {
				return nil, fmt.Errorf("taint %s:%s is given twice", t.Key, t.Effect)
			}
		}
		taints = append(taints, t)
	}
	return taints, nil
}

// ttlSeconds converts a --token-ttl or --ttl duration to whole seconds, rounding up.
func ttlSeconds(d time.Duration) (int64, error) {
	if d <= 0 {
		return 0, fmt.Errorf("the token TTL must be positive, got %s", d)
	}
	return int64(math.Ceil(d.Seconds())), nil
}
