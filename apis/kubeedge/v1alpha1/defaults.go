package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime"
)

func addDefaultingFuncs(scheme *runtime.Scheme) error {
	return RegisterDefaults(scheme)
}

// SetDefaults_EdgeNodeTaint defaults a taint's effect to NoSchedule.
func SetDefaults_EdgeNodeTaint(t *EdgeNodeTaint) {
	if t.Effect == "" {
		t.Effect = "NoSchedule"
	}
}
