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

// Package kubesphere is a stand-in for ks-apiserver, for tests only. It is written from the
// KubeSphere sources it names and models only what EdgeWatcher's console route meets:
//
//   - the access tokens ks-apiserver issues to console users: HS256-signed JWTs with the claims
//     username, token_type, iat, exp, iss and sub (kubesphere/kubesphere@v3.4.1:
//     pkg/apiserver/authentication/token/issuer.go), which kube-apiserver does not know;
//   - its TokenReview webhook, POST /oauth/authenticate (kubesphere/kubesphere@v3.4.1 and
//     @release-4.1: pkg/kapis/oauth/register.go and handler.go);
//   - the generic proxy of KubeSphere 3.1 to 3.4 (kubesphere/kubesphere@v3.4.1:
//     pkg/kapis/generic/generic.go) for kubeedge.kubesphere.io (kubeedge.endpoint) and
//     edgeruntime.kubesphere.io (edgeruntime.endpoint);
//   - the extension APIService proxy of KubeSphere 4.1 (kubesphere/kubesphere@release-4.1:
//     pkg/apiserver/filters/apiservice.go);
//   - the multi-cluster prefix /kapis/clusters/<cluster>/..., stripped for the host cluster
//     (kubesphere/kubesphere@release-4.1: pkg/apiserver/filters/multicluster.go).
//
// Simplifications: every user the stand-in authenticates may call every proxied path (KubeSphere's
// built-in "authenticated" role lets any signed-in user get nodes in any group); a request to a
// proxied path without a valid token is answered 401 here, where ks-apiserver would answer 401 for
// a bad token and refuse system:anonymous by RBAC; tokens are never revoked. It listens on
// 127.0.0.1 only.
package kubesphere
