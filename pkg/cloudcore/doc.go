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

// Package cloudcore reads KubeEdge cloudcore's configuration as EdgeWatcher needs it:
// cloudcore.yaml from the kubeedge/cloudcore ConfigMap, the ports that edges can actually
// reach through the cloudcore Service, and the kubeedge/tunnelport record.
//
// It is a pure package: callers fetch the ConfigMaps and the Service; nothing here talks to
// a cluster, and malformed input is an error that names the offending field, never a panic.
//
// # Which port does an edge dial? (KubeSphere issue #4722)
//
// cloudcore.yaml holds the ports cloudcore listens on. Edges outside the cluster often reach
// cloudcore through its Service instead, and the old console command, built from the
// container ports 10000-10004, failed wherever the Service exposed NodePorts 30000-30004.
// ResolveEndpoint applies this rule for each listener (websocket, quic, https, stream,
// tunnel):
//
//   - The listener is matched to a Service port by number first (targetPort, or port when
//     targetPort is unset, equals the configured container port), then by the name the
//     KubeEdge chart gives it (cloudhub, cloudhub-quic, cloudhub-https, cloudstream,
//     tunnelport). QUIC prefers a UDP port, the others TCP.
//   - Service type NodePort: the edge dials the advertise address at the matched nodePort.
//   - Service type LoadBalancer: the edge dials the load balancer's ingress (preferring one
//     that is also an advertise address, since cloudcore's certificate covers only those) at
//     the matched Service port. Without an ingress it falls back to the NodePort rule.
//   - No Service, type ClusterIP or ExternalName, or no matching Service port: the edge dials
//     the advertise address at the configured container port (the chart runs cloudcore with
//     hostNetwork).
//
// Every resolved value records where it came from, for error messages and status.
package cloudcore
