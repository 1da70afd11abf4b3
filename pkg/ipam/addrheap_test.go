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
	"net/netip"
	"testing"
)

func TestAddrHeap(t *testing.T) {
	h := newAddrHeap()
	for _, a := range addrs("10.0.0.9", "10.0.0.3", "10.0.0.7", "10.0.0.3", "10.0.0.1") {
		h.Push(a)
	}
	if h.Len() != 4 {
		t.Fatalf("Len = %d, want 4 (duplicates are ignored)", h.Len())
	}
	h.Remove(netip.MustParseAddr("10.0.0.1"))
	h.Remove(netip.MustParseAddr("10.0.0.8")) // absent: no-op
	want := addrs("10.0.0.3", "10.0.0.7", "10.0.0.9")
	for _, w := range want {
		if got := h.Min(); got != w {
			t.Fatalf("Min = %s, want %s", got, w)
		}
		h.Remove(w)
	}
	if h.Len() != 0 || len(h.h.pos) != 0 {
		t.Fatalf("heap not empty: %d addresses, %d positions", h.Len(), len(h.h.pos))
	}
}
