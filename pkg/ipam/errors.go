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

package ipam

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrInvalidAddress is matched by errors.Is for every error about a malformed or ambiguous IP address.
var ErrInvalidAddress = errors.New("invalid IP address")

// ErrUnusableAddress is matched by errors.Is for every error about a special IP address an edge node cannot use.
var ErrUnusableAddress = errors.New("unusable IP address")

// ErrInvalidCIDR is matched by errors.Is for every error about a malformed or unsuitable CIDR.
var ErrInvalidCIDR = errors.New("invalid CIDR")

// ErrNotInPool is matched by errors.Is when an IP address lies outside every configured edge IP pool.
var ErrNotInPool = errors.New("outside the edge IP pools")

// ErrPoolExhausted is matched by errors.Is when no edge IP pool has a free IP address left.
var ErrPoolExhausted = errors.New("edge IP pools exhausted")

// ErrInvalidName is matched by errors.Is for every error about an invalid node name.
var ErrInvalidName = errors.New("invalid node name")

// maxEcho is the longest input echoed in an error message; longer inputs are cut so hostile values stay short.
const maxEcho = 64

// AddressError explains why a string is not accepted as an IP address.
type AddressError struct {
	// Input is the rejected text.
	Input string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error; it quotes the input so control characters are visible and never interpreted.
func (e *AddressError) Error() string {
	return fmt.Sprintf("invalid IP address %s: %s", quote(e.Input), e.Reason)
}

// Is makes errors.Is(err, ErrInvalidAddress) true.
func (e *AddressError) Is(target error) bool { return target == ErrInvalidAddress }

// UnusableAddressError explains why a well-formed IP address cannot be given to an edge node.
type UnusableAddressError struct {
	// Addr is the rejected address.
	Addr netip.Addr
	// Category is the special category it falls into.
	Category Category
	// Range is the special range that contains it.
	Range netip.Prefix
}

// Error implements error, naming the category, for example "IP address 127.0.0.1 is a loopback address".
func (e *UnusableAddressError) Error() string {
	return fmt.Sprintf("IP address %s %s", e.Addr, e.Category.describe(e.Range))
}

// Is makes errors.Is(err, ErrUnusableAddress) true.
func (e *UnusableAddressError) Is(target error) bool { return target == ErrUnusableAddress }

// quote returns s quoted Go-style, cut to maxEcho bytes.
func quote(s string) string {
	if len(s) > maxEcho {
		return fmt.Sprintf("%q (%d bytes, truncated)", s[:maxEcho], len(s))
	}
	return fmt.Sprintf("%q", s)
}
