// Package clusterstate serves the join flow's reads from informers: the KubeEdge objects in
// the cloudcore namespace (each watched by name, so RBAC can name them), the cloudcore pods,
// the cluster's Service CIDRs and whether a Node exists. It also keeps the cloudcore
// addresses in the ipam.Index so that no edge node can be given one.
package clusterstate
