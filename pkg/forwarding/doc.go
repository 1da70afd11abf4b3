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

// Package forwarding computes the syncer's desired forwarding set: for every edge node with a usable, unique
// InternalIP, TCP to <InternalIP>:<kubelet endpoint port> (and to any extra ports) goes to the stream server of
// the cloudcore that owns the node's tunnel (the tunnelport record; kubeedge/kubeedge@v1.23.1: cloud/pkg/cloudstream/iptables/iptables.go), and every IP that must not be forwarded is
// reported as a Conflict instead.
//
// The owning cloudcore comes from the kubeedge/tunnelport record, which maps each cloudcore's negotiated tunnel
// port (10351 and up) to its IP. A node that still reports the unnegotiated port 10350, or whose port is not in
// the record, goes to the configured default target.
//
// An IP is never forwarded when forwarding it would hijack real traffic: when it is special (loopback,
// unspecified, link-local, multicast, broadcast, reserved), an address of this host, a cloudcore address, or an
// address of any other node, edge or not. A contested IP is withheld from every node that claims it, never
// handed to the first claimant, so the outcome does not depend on informer order.
//
// The package is pure: Compute does no I/O, its output is sorted and deterministic, and it runs in time linear
// in the number of nodes and addresses.
package forwarding
