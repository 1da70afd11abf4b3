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
