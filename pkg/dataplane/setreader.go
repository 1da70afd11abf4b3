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
	"net/netip"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// SetReader reads the entries of one of our hash:ip,port sets of family f, sorted. ok is false when the set holds
// anything we never write (another protocol, an entry option such as a timeout): its content then stays unknown.
type SetReader func(ctx context.Context, name string, f forwarding.Family) (entries []netip.AddrPort, ok bool, err error)

// ReadSetNetlink is a SetReader that lists the set with one netlink dump, in the network namespace of the calling
// OS thread. `ipset save` prints the same entries but looks the protocol name up in /etc/protocols for each
// one, which for 100k entries costs more than filling the set did.
func ReadSetNetlink(ctx context.Context, name string, f forwarding.Family) (entries []netip.AddrPort, ok bool, err error) {
	return dumpIPSet(ctx, name, f)
}

// runnerSetReader is a SetReader that runs `ipset save <name>` through r.
func runnerSetReader(r Runner) SetReader {
	return func(ctx context.Context, name string, f forwarding.Family) ([]netip.AddrPort, bool, error) {
		out, err := r.Run(ctx, nil, "ipset", "save", name)
		if err != nil {
			return nil, false, err
		}
		entries, ok := parseSavedEntries(out, name, f)
		return entries, ok, nil
	}
}
