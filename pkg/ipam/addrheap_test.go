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
