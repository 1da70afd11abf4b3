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

package netns

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"testing"
)

// Connect joins two namespaces with a veth pair, assigns aAddr to a's end and bAddr to b's end, and brings both
// up; both ends live inside the test's namespaces and vanish with them. It returns the names of a's and b's ends.
func Connect(tb testing.TB, a, b *Namespace, aAddr, bAddr netip.Prefix) (aLink, bLink string) {
	tb.Helper()
	aLink, bLink, err := Link(a, b, aAddr, bAddr)
	if err != nil {
		tb.Fatal(err)
	}
	return aLink, bLink
}

// Link is Connect without a test: it returns an error instead, after deleting the pair if it was created.
func Link(a, b *Namespace, aAddr, bAddr netip.Prefix) (aLink, bLink string, err error) {
	var r [3]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", "", fmt.Errorf("random link name: %w", err)
	}
	suffix := hex.EncodeToString(r[:])
	aLink, bLink = "ewa"+suffix, "ewb"+suffix
	if _, err := a.Run("ip", "link", "add", aLink, "type", "veth", "peer", "name", bLink, "netns", b.Name); err != nil {
		return "", "", err
	}
	for _, end := range []struct {
		ns   *Namespace
		link string
		addr netip.Prefix
	}{{a, aLink, aAddr}, {b, bLink, bAddr}} {
		for _, argv := range [][]string{addressArgs(end.addr, end.link), {"ip", "link", "set", end.link, "up"}} {
			if _, err := end.ns.Run(argv...); err != nil {
				_, _ = a.Run("ip", "link", "delete", aLink) // takes the peer with it
				return "", "", err
			}
		}
	}
	return aLink, bLink, nil
}
