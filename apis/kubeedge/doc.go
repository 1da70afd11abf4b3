// +k8s:deepcopy-gen=package
// +groupName=kubeedge.kubesphere.io

// Package kubeedge holds the internal (hub) types of the kubeedge.kubesphere.io API group.
package kubeedge
