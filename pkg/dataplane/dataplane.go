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

package dataplane

import (
	"context"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Dataplane programs a desired forwarding set into the kernel.
type Dataplane interface {
	// Apply makes the kernel forward exactly rules, repairing any drift, without a forwarding gap.
	Apply(ctx context.Context, rules []forwarding.Rule) error
	// Cleanup removes everything the dataplane owns: jumps, chains and sets.
	Cleanup(ctx context.Context) error
}

// Names of the kernel objects EdgeWatcher owns.
const (
	// ChainName is EdgeWatcher's chain in table nat, in both iptables and ip6tables.
	ChainName = "EDGEWATCHER-FWD"
	// JumpComment marks the jumps into ChainName from the built-in chains.
	JumpComment = "edgewatcher-forwarding"
	// SetPrefix starts the name of every ipset EdgeWatcher owns: SetPrefix, the IP version, "-" and a hash of the
	// target, such as ewfwd4-0123456789abcdef.
	SetPrefix = "ewfwd"
)

// natTable is the table all rules live in.
const natTable = "nat"

// builtinChains are the chains that jump into ChainName: locally originated traffic and forwarded or pod traffic.
var builtinChains = []string{"PREROUTING", "OUTPUT"}
