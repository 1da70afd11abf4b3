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

// Package edge runs issue 14's seed scenario with nothing stood in: a real edgecore v1.23.1 in a network
// namespace playing the edge device, with a private containerd and runc from Debian's packages and images built
// here, joins a real cloudcore with the token and command EdgeWatcher generates; then, from the control-plane
// namespace and only through edgewatcher-syncer's DNAT, `kubectl logs`, `kubectl exec` and `kubectl top node`
// (real metrics-server) reach it, until `edgewatcher-syncer cleanup`.
//
// Everything runs in network namespaces the test creates; the edge host also has a private mount namespace
// (framework.StartEdgeHost), so containerd and edgecore never touch the host's /etc, /var or /run.
package edge
