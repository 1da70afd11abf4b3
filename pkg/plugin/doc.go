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

// Package plugin implements kubectl-edgenode, the kubectl plugin that reserves KubeEdge edge nodes,
// prints their keadm join commands and tokens, and lists them through EdgeWatcher's
// kubeedge.kubesphere.io API. It loads kubeconfig exactly as kubectl does and prints server
// errors the way kubectl prints them.
package plugin
