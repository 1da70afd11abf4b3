// Package edge runs issue 14's seed scenario with nothing stood in: a real edgecore v1.23.1 in a network
// namespace playing the edge device, with a private containerd and runc from Debian's packages and images built
// here, joins a real cloudcore with the token and command EdgeWatcher generates; then, from the control-plane
// namespace and only through edgewatcher-syncer's DNAT, `kubectl logs`, `kubectl exec` and `kubectl top node`
// (real metrics-server) reach it, until `edgewatcher-syncer cleanup`.
//
// Everything runs in network namespaces the test creates; the edge host also has a private mount namespace
// (framework.StartEdgeHost), so containerd and edgecore never touch the host's /etc, /var or /run.
package edge
