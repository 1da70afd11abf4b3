// +k8s:openapi-gen=true
// +k8s:openapi-model-package=io.edgewatcher.kubeedge.v1alpha1
// +k8s:deepcopy-gen=package
// +k8s:conversion-gen=github.com/edgewatcher/edgewatcher/apis/kubeedge
// +k8s:defaulter-gen=TypeMeta
// +groupName=kubeedge.kubesphere.io

// Package v1alpha1 is the v1alpha1 version of the kubeedge.kubesphere.io API.
package v1alpha1
