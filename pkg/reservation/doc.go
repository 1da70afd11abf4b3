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

// Package reservation keeps EdgeNode reservations as coordination.k8s.io Leases.
//
// A reservation promises a node name and, optionally, an IP address to an edge node that
// has not joined yet. It is stored as two Leases in the server's namespace:
//
//	name.<node name>   holds the reservation itself (spec, requester, expiry)
//	ip.<address>       locks the address; its holderIdentity is the node name
//
// Creating a Lease is atomic in etcd, so when two server replicas race for the same name or
// address exactly one create succeeds; the loser rolls back what it took and reports who
// holds the contested value. The Lease duration is the reservation's TTL. Nothing but
// kube-apiserver stores state, so a reservation survives restarts of every replica.
package reservation
