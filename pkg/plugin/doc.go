// Package plugin implements kubectl-edgenode, the kubectl plugin that reserves KubeEdge edge nodes,
// prints their keadm join commands and tokens, and lists them through EdgeWatcher's
// kubeedge.kubesphere.io API. It loads kubeconfig exactly as kubectl does and prints server
// errors the way kubectl prints them.
package plugin
