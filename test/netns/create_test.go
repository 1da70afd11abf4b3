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
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestCreateLinkDelete covers the constructors without a test: Create, Link and Delete.
func TestCreateLinkDelete(t *testing.T) {
	RequireRoot(t)
	RequireCommands(t, "ip")
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		t.Fatal(err)
	}
	name := namePrefix + "create-" + hex.EncodeToString(r[:])
	a, err := Create(name+"a", netip.MustParsePrefix("10.99.0.1/24"))
	if err != nil {
		SkipOrFail(t, "%v", err)
	}
	t.Cleanup(func() {
		if a.Exists() {
			_ = a.Delete()
		}
	})
	b, err := Create(name + "b")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b.Exists() {
			_ = b.Delete()
		}
	})
	if _, err := Create(a.Name); err == nil {
		t.Errorf("Create(%s) again succeeded, want an error", a.Name)
	}
	aLink, bLink, err := Link(a, b, netip.MustParsePrefix("10.98.0.1/30"), netip.MustParsePrefix("10.98.0.2/30"))
	if err != nil {
		t.Fatal(err)
	}
	if out := a.MustRun(t, "ip", "-o", "address", "show", DummyInterface); !strings.Contains(out, "10.99.0.1/24") {
		t.Errorf("%s lacks 10.99.0.1/24: %q", DummyInterface, out)
	}
	if out := b.MustRun(t, "ip", "-o", "address", "show", bLink); !strings.Contains(out, "10.98.0.2/30") {
		t.Errorf("%s lacks 10.98.0.2/30: %q", bLink, out)
	}
	var l net.Listener
	if err := b.Do(func() (err error) { l, err = net.Listen("tcp", "10.98.0.2:0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	if err := a.Do(func() error {
		c, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
		if err == nil {
			err = c.Close()
		}
		return err
	}); err != nil {
		t.Errorf("dialing across %s: %v", aLink, err)
	}
	for _, ns := range []*Namespace{a, b} {
		if err := ns.Delete(); err != nil {
			t.Fatal(err)
		}
		if ns.Exists() {
			t.Errorf("%s exists after Delete", ns.Name)
		}
	}
	if err := a.Delete(); err == nil {
		t.Error("deleting a deleted namespace succeeded, want an error")
	}
}
