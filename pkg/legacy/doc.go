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

// Package legacy serves the KubeSphere console's legacy join endpoint,
// GET /api/v1alpha1/nodes/join?node_name=&node_ip=&add_default_taint=, with the wire format the
// console parses (kubesphere/console@v3.2.0: src/stores/edgenode.js and src/utils/request.js) and
// the original EdgeWatcher answered (zhu733756/edge-watcher: pkg/edgeservice/handler.go).
//
// The route only translates: query parameters become a Request, a Joiner does the domain work,
// and the Joiner's result or error becomes the console's JSON body. Error messages are built so
// that the console's case-sensitive substring checks hold: a message about the node name contains
// "name" and never "IP", a message about the node IP contains "IP" and never "name", and every
// other message contains neither.
//
// Authorization of the route is mapped deliberately (RequestInfoResolver): it is `create` on
// `edgenodes/joincommand` in kubeedge.kubesphere.io/v1alpha1, never the default parse of its path
// ("get" core "nodes" named "join"). NewPlainHandler protects the plain-HTTP listener that
// ks-apiserver's proxy talks to, authenticating the console user as the AuthMode says (the
// forwarded token through kube-apiserver or a TokenReview webhook such as ks-apiserver's, or
// KubeSphere 4.1's proxy headers from trusted networks) and authorizing with SubjectAccessReview;
// on the secure port the generic API server's filters do it.
package legacy
