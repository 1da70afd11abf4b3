// Package install registers the kubeedge.kubesphere.io API group with a scheme.
package install

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// Install registers the internal and all versioned types of the group into scheme.
func Install(scheme *runtime.Scheme) {
	utilruntime.Must(kubeedge.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	utilruntime.Must(scheme.SetVersionPriority(v1alpha1.SchemeGroupVersion))
}
