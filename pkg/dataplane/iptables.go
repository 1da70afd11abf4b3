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
	"errors"

	"github.com/coreos/go-iptables/iptables"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// IPTables is what Netfilter needs from the iptables client of one address family: the part of go-iptables'
// *iptables.IPTables it calls. A failed command is reported as an error with the methods IsNotExist and
// ExitStatus, as *iptables.Error has them, so that a missing chain or rule can be told from other failures.
type IPTables interface {
	// List returns the rules of a chain as `iptables -t table -S chain` prints them, the chain's -N or -P first.
	List(table, chain string) ([]string, error)
	// Insert inserts a rule at position pos of a chain, 1 being the first.
	Insert(table, chain string, pos int, rulespec ...string) error
	// Delete deletes the first rule of a chain that matches rulespec.
	Delete(table, chain string, rulespec ...string) error
	// ClearAndDeleteChain flushes and deletes a user chain; a chain that does not exist is not an error.
	ClearAndDeleteChain(table, chain string) error
}

var _ IPTables = &iptables.IPTables{}

// NewIPTables returns the go-iptables client that runs command (such as ip6tables-legacy) for family f, with
// the lock wait Netfilter uses. It is Config.NewIPTables's default.
func NewIPTables(f forwarding.Family, command string) (IPTables, error) {
	proto := iptables.ProtocolIPv4
	if f == forwarding.IPv6 {
		proto = iptables.ProtocolIPv6
	}
	return iptables.New(iptables.IPFamily(proto), iptables.Path(command), iptables.Timeout(lockWaitSeconds))
}

// iptablesError is a failed IPTables command: *iptables.Error, or its equivalent from another IPTables.
type iptablesError interface {
	error
	// IsNotExist reports whether the chain or rule the command named does not exist.
	IsNotExist() bool
	// ExitStatus is the command's exit status.
	ExitStatus() int
}

// isNotExist reports whether err is an IPTables command failing because its chain or rule does not exist.
func isNotExist(err error) bool {
	var e iptablesError
	return errors.As(err, &e) && e.IsNotExist()
}
