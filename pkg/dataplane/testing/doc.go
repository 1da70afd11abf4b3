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

// Package dataplanetesting holds fakes of the dataplane for tests that run without root.
//
// FakeKernel stands in for the kernel state Netfilter programs and the commands it programs it with: the nat
// and filter tables of iptables and ip6tables, separately for iptables-legacy and iptables-nft, and the ipsets
// they share. It is both the Runner (ipset, iptables-save, iptables-restore and iptables itself) and, through
// NewIPTables, the go-iptables client of a Config, so that a Netfilter built on it runs its whole sync logic
// against state that the same commands read back. It models what Netfilter relies on: transactions of
// iptables-restore, a set referenced by a rule cannot be destroyed, a rule cannot name a missing set or chain,
// `ipset -exist` create lines must repeat the type, family and maxelem, swap exchanges the content under two
// names, `ipset restore` applies its lines in order while they arrive and stops at the first error. Rule
// specifications are kept as given: iptables' rewriting of a rule into its canonical -S form is not modelled,
// so tests write rules in that form. The kernel tests of pkg/dataplane run the same scenarios against a real
// kernel in a network namespace, which keeps this fake honest.
//
// FakeDataplane is an in-memory Dataplane for the tests of the control loop that programs it.
package dataplanetesting
