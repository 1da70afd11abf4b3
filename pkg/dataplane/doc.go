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

// Package dataplane programs the desired forwarding set into the kernel: TCP to each edge destination (IP and
// port) is DNATed to its cloudcore stream server, for locally originated traffic (nat OUTPUT) and for forwarded
// and pod traffic (nat PREROUTING), in IPv4 through iptables and in IPv6 through ip6tables.
//
// # Design: one ipset per target, one DNAT rule per set
//
// Every destination forwarded to the same target is a member (ip,port; TCP) of one hash:ip,port ipset named after
// the target, and EdgeWatcher's own chain EDGEWATCHER-FWD in table nat holds one rule per target:
//
//	-A EDGEWATCHER-FWD -p tcp -m set --match-set ewfwd4-<hash> dst,dst -j DNAT --to-destination 10.0.0.2:10003
//
// The built-in chains OUTPUT and PREROUTING each hold exactly one jump into EDGEWATCHER-FWD, ensured with
// go-iptables; no per-node rule ever enters a built-in chain. The number of iptables rules is the number of
// cloudcores, as in KubeEdge's own tunnel-port scheme, but the match is per destination IP, so traffic to other
// hosts on the same port is never redirected.
//
// Figures measured on a 2-core machine (iptables 1.8.9 on nf_tables, in a network namespace) decide it against one
// `-d IP/32 --dport P -j DNAT` rule per destination applied by iptables-restore:
//
//   - cold sync of 100k destinations: `ipset restore` takes 0.53 s, `iptables-restore` of 100k rules 3.7 s;
//   - incremental change: one `ipset add` into a set of 100k takes 0.013 s, while any iptables command against a
//     chain of 100k rules costs seconds (one `iptables -C` 7.6 s), so per-rule chains cannot meet the 50 ms p99;
//   - packet path: a new connection through OUTPUT or PREROUTING costs one hash lookup per target instead of a
//     linear walk over 100k rules, and this walk would tax every connection the host makes, not only ours;
//   - per-rule `iptables -C` then `-A` (the old agent's pattern) takes 21 s for 1k and is disqualified.
//
// Measured by `make bench` on 2 vCPUs (figures and how they were taken in docs/performance.md): the syncer's
// cold sync of 100k edge nodes in 1.6-1.7x the bare `ipset restore` floor of the same entries, a one-node change
// with 100k programmed in about 5 ms p50 and 10 ms p99, and the per-rule baseline 190x slower than a cold Apply
// at 1k.
//
// # Atomicity, drift and restarts
//
// Apply never flushes then rebuilds. A new set is created and filled directly: no rule can match a set that did
// not exist. A set of ours with the wrong type was recreated, which ipset allows only while no rule references
// it, so it is destroyed and created anew. An existing set whose content Apply does not know (a restart, a failed
// set command) is read back over netlink (`ipset save` costs more than a fill) and then changed by increments,
// as on any other sync. A set that drifted, or that holds what we never write (so cannot be read back), first
// gets every wanted entry added, and its exact content is swapped in from a temporary set only once the chain is
// in place. Either way a destination that a killed syncer left in its old set stays matched until its new set
// holds it. The chain is replaced inside one `iptables-restore --noflush` transaction, which touches only EDGEWATCHER-FWD.
// Incremental set changes add entries before deleting old ones, and no entry is deleted while a chain or jump
// could not be written. Each Apply re-reads the cheap parts of the kernel state (set headers with
// their entry counts, our chain, the built-in chains' jumps) and repairs what differs: a flushed chain, a
// deleted or duplicated jump, a flushed or replaced set. Applying the same rules twice changes nothing.
//
// Re-reading costs a handful of commands (about 5-10 ms each). Config.VerifyInterval lets an Apply that comes
// soon after a verified one, with the same targets, skip it and run a single `ipset restore` of the entry
// differences: O(changes) kernel operations, with drift then repaired within the interval.
//
// # Network namespaces
//
// Every command runs on the calling goroutine's OS thread, so a caller locked to a thread that entered a network
// namespace programs that namespace; the tests rely on it. Netfilter never starts goroutines that exec. A large
// fill overlaps the chain and jump writes by starting `ipset restore` from the calling thread and waiting for
// it afterwards; it does so only when the new chains keep every live rule, so the overlap only adds forwarding.
//
// Every command goes through Config.Runner (ipset, iptables-restore) or the IPTables clients of
// Config.NewIPTables (go-iptables), so the tests run the same sync logic against the stateful fake kernel of
// pkg/dataplane/testing without root, and against the real kernel in network namespaces as root.
//
// # Prefill
//
// A first sync cannot fill its sets before it knows which destinations are unique, which takes forwarding.Compute
// about a quarter of a second at 100k nodes. Prefill, called before Compute with the rules the nodes would get
// without the uniqueness check, starts an `ipset restore` that fills temporary sets, which no rule references,
// and leaves it reading. The Apply that follows writes the rest of that script: it deletes what its rules do not
// hold, adds what they hold beyond the candidates, and swaps each temporary set into place, so the kernel never
// forwards a destination Compute withheld. Without its Apply, a prefill is ended by Cleanup, another Prefill or
// its context, and its temporary sets are destroyed by the next Apply.
package dataplane
