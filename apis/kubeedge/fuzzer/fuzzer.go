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

// Package fuzzer holds fuzzer functions for kubeedge.kubesphere.io round-trip tests.
package fuzzer

import (
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/randfill"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

// Funcs returns fuzzer functions that keep fuzzed objects valid after defaulting.
var Funcs = func(_ runtimeserializer.CodecFactory) []interface{} {
	return []interface{}{
		func(t *kubeedge.EdgeNodeTaint, c randfill.Continue) {
			c.FillNoCustom(t)
			if t.Effect == "" {
				t.Effect = "NoSchedule" // matches the v1alpha1 default
			}
		},
	}
}
