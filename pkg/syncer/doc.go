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

// Package syncer is the control loop of edgewatcher-syncer: it watches the cluster's Nodes, the kubeedge/tunnelport
// and kubeedge/cloudcore ConfigMaps, and cloudcore's Service and pods, computes the desired forwarding set with
// pkg/forwarding, and programs it with a pkg/dataplane Dataplane.
//
// # The loop
//
// Every informer event enqueues the same key into a rate-limited workqueue, so any burst of changes collapses
// into one sync. A sync reads the informer caches, calls forwarding.Compute and hands the rules to
// Dataplane.Apply. A resync timer enqueues the key every resync period, which is how drift (a flushed chain, a
// deleted jump, a flushed set) is repaired. A failed sync is retried with backoff capped at the resync period.
//
// Nothing is applied before every informer has synced: the first Apply after a restart replaces the previous
// process's kernel state atomically, and nothing removes it before that. Stopping the loop (SIGTERM) leaves
// the kernel state in place, so a restart has no forwarding gap; only an explicit cleanup removes it.
//
// An Apply in progress is not cancelled when the loop stops: it runs to completion (bounded by
// Config.ApplyTimeout), because killing an ipset or iptables-restore half way would leave the kernel in a state
// nobody planned.
//
// # Reporting
//
//   - Metrics (component-base/metrics, ALPHA): entries programmed per family, edge nodes seen and forwarded,
//     conflicts by reason, a sync-duration histogram, syncs by result, errors by stage, and the time of the last
//     successful sync.
//   - Events on the Node: Warning EdgeIPConflict for an IP-uniqueness violation, Warning EdgeForwardingSkipped for
//     any other reason a node is not forwarded, Normal EdgeIPConflictResolved when a conflict clears. Each
//     conflict is reported once when it appears, not on every sync.
//   - A heartbeat Lease per host, kubeedge/edgewatcher-syncer-<node name>, renewed every resync period, and
//     within about a second of a Node change (at most once a second). Its annotation heartbeat.Annotation holds a
//     heartbeat.Status: last successful sync, entries programmed, the nodes not forwarded, the errors, and the
//     Node resource version all that reflects, so the API server can show forwarding coverage, stale syncers,
//     and nodes no syncer has reported on yet.
//   - Healthy fails when the last successful sync is older than three resync periods; Ready succeeds after the
//     first successful sync. HealthHandler serves both.
package syncer
