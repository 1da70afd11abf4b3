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

// Package netns gives tests a fresh, private network namespace: `ip netns add ew-test-<random>` with lo up and
// a local interface (a veth pair, both ends inside) carrying test addresses, deleted when the test ends.
// Commands run inside it through `ip netns exec` (Command, Run), and Go code runs inside it on a dedicated OS
// thread that entered it with setns (Do), so a test can program iptables and dial connections without touching
// the host's network.
//
// Creating a namespace needs root. Without root, or when `ip netns` fails, the test is skipped with the reason,
// unless $CI is set, in which case it fails: CI runs as root and must exercise the kernel.
//
// Create, Link and Delete do the same without a test, for long-lived namespaces such as `make run`'s
// forwarding demo (test/localup); they return errors and leave deleting to the caller.
package netns
