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

package join

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mvdan.cc/sh/v3/syntax"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
)

func wantField(t *testing.T, err error, field Field, reason Reason, detail string) {
	t.Helper()
	fe, ok := AsFieldError(err)
	if !ok || fe.Field != field || fe.Reason != reason || !strings.Contains(fe.Detail, detail) {
		t.Fatalf("got %v, want %s %s containing %q", err, field, reason, detail)
	}
}

func TestReserveChecksInConsoleOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, ip string
		field    Field
		reason   Reason
		detail   string
	}{
		{"Bad_Name", "10.0.0.300", FieldName, ReasonInvalid, "RFC 1123"},
		{"cloud-1", "10.0.0.300", FieldIP, ReasonInvalid, ""},
		{"cloud-1", "010.0.0.5", FieldIP, ReasonInvalid, "leading zero"},
		{"cloud-1", "127.0.0.1", FieldIP, ReasonInvalid, "loopback"},
		{"cloud-1", "fe80::1%eth0", FieldIP, ReasonInvalid, "zone"},
		{"cloud-1", "10.96.0.10", FieldIP, ReasonInvalid, "Service CIDR"},
		{"cloud-1", "10.0.0.5", FieldName, ReasonInUse, "Node"},
		{"edge-new", "192.168.1.2", FieldIP, ReasonInUse, "Node cloud-1 (InternalIP)"},
		{"edge-new", "203.0.113.7", FieldIP, ReasonInUse, "Node cloud-1 (ExternalIP)"},
		{"edge-new", "::ffff:192.168.1.10", FieldIP, ReasonInUse, "CloudCore"},
		{"edge-new", "", FieldIP, ReasonInvalid, "--edge-ip-pool"},
	} {
		_, _, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: tc.name, IP: tc.ip})
		wantField(t, err, tc.field, tc.reason, tc.detail)
	}
}

func TestReserveIsExclusiveAndReusable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r, reused, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "::ffff:10.0.0.5", Requester: "alice"})
	if err != nil || reused || r.IP.String() != "10.0.0.5" {
		t.Fatalf("reserve: %v %v %v", r, reused, err)
	}
	f.settle(t, 1)
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-b", IP: "10.0.0.5", Requester: "bob"})
	wantField(t, err, FieldIP, ReasonInUse, `reserved for edge node "edge-a" by alice`)
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.6", Requester: "bob", Reuse: true})
	wantField(t, err, FieldName, ReasonInUse, "by alice")
	// Alice's retry is idempotent; her edit moves the reservation.
	if _, reused, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.5", Requester: "alice", Reuse: true}); err != nil || !reused {
		t.Fatalf("retry: %v %v", reused, err)
	}
	if r, _, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-a", IP: "10.0.0.6", Requester: "alice", Reuse: true}); err != nil || r.IP.String() != "10.0.0.6" {
		t.Fatalf("move: %v %v", r, err)
	}
	// The move reaches the address index through the Lease watch, after the tracker: poll for it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, _, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: "edge-b", IP: "10.0.0.5", Requester: "bob"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the moved-from address should be free: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReserveAllocatesFromPool(t *testing.T) {
	f := newFixture(t)
	pools, err := ipam.ParsePools([]string{"10.20.0.0/30"})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Pools = pools
	ctx := context.Background()
	var got []string
	for i, name := range []string{"p1", "p2"} {
		r, _, err := f.svc.Reserve(ctx, ReserveRequest{NodeName: name})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.IP.String())
		f.settle(t, i+1)
	}
	if strings.Join(got, ",") != "10.20.0.1,10.20.0.2" {
		t.Fatalf("allocated %v", got)
	}
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "p3"})
	wantField(t, err, FieldIP, ReasonInvalid, "exhausted")
	_, _, err = f.svc.Reserve(ctx, ReserveRequest{NodeName: "p3", IP: "10.0.0.9"})
	wantField(t, err, FieldIP, ReasonInvalid, "pool")
}

func TestTokenErrorsNameTheSecret(t *testing.T) {
	f := newFixture(t)
	f.state.token = nil
	if _, err := f.svc.Token(nil); !IsUnavailable(err) || !strings.Contains(err.Error(), "kubeedge/tokensecret") {
		t.Fatalf("missing secret: %v", err)
	}
	expired, _, _ := jointoken.Mint(f.ca[0], f.ca[1], time.Minute, testNow.Add(-time.Hour))
	f.state.token = f.state.ca.DeepCopy()
	f.state.token.Data = map[string][]byte{"tokendata": []byte(expired)}
	if _, err := f.svc.Token(nil); !IsUnavailable(err) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token: %v", err)
	}
	f.svc.Tokens.Mint = true
	ttl := 48 * time.Hour
	tok, err := f.svc.Token(&ttl)
	if err != nil || tok.Source != TokenMinted || !tok.ExpiresAt.Equal(testNow.Add(24*time.Hour).Truncate(time.Second)) {
		t.Fatalf("minted %+v %v", tok, err)
	}
	if _, err := jointoken.Verify(tok.Value, f.ca[0], f.ca[1], testNow); err != nil {
		t.Fatalf("minted token does not verify: %v", err)
	}
}

func TestCommandReservesOnlyWhenConfigIsUsable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.state.config.Data["cloudcore.yaml"] = "modules: {}\n"
	_, err := f.svc.Command(ctx, CommandRequest{Reserve: ReserveRequest{NodeName: "edge-c", IP: "10.0.0.7"}})
	if !IsUnavailable(err) || !strings.Contains(err.Error(), "cloudHub") {
		t.Fatalf("broken config: %v", err)
	}
	if f.tracker.Len() != 0 {
		t.Fatal("a failed command must not leave a reservation")
	}
	f.state.config.Data["cloudcore.yaml"] = testCloudCoreYAML
	res, err := f.svc.Command(ctx, CommandRequest{Reserve: ReserveRequest{NodeName: "edge-c", IP: "10.0.0.7", Requester: "alice"}, KubeEdgeVersion: "v1.19.2"})
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(res.Command.Argv, " ")
	for _, want := range []string{"--cloudcore-ipport=192.168.1.10:10000", "--edgenode-name=edge-c", "--kubeedge-version=v1.19.2", "Modules.Edged.NodeIP=10.0.0.7"} {
		if !strings.Contains(args, want) {
			t.Errorf("argv %q lacks %q", args, want)
		}
	}
	f.settle(t, 1)
	_, err = f.svc.Command(ctx, CommandRequest{Reserve: ReserveRequest{NodeName: "edge-joined"}})
	wantField(t, err, FieldName, ReasonInUse, "registered")
}

func TestLegacyCommand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	yes := true
	// Validator calls (no add_default_taint) reserve nothing.
	line, err := f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-l", NodeIP: "10.0.0.8", Requester: "alice"})
	if err != nil || line == "" {
		t.Fatalf("validator call: %q %v", line, err)
	}
	if f.tracker.Len() != 0 {
		t.Fatal("a validator call must not reserve")
	}
	line, err = f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-l", NodeIP: "10.0.0.8", DefaultTaint: &yes, Requester: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	f.settle(t, 1)
	if r, _ := f.tracker.Get("edge-l"); len(r.Spec.Taints) != 1 || r.Spec.Taints[0].Key != EdgeTaintKey {
		t.Fatalf("default taint not reserved: %+v", r.Spec)
	}
	if _, err := syntax.NewParser().Parse(strings.NewReader(line), ""); err != nil {
		t.Fatalf("legacy line does not parse: %v\n%s", err, line)
	}
	// By default the line downloads KubeEdge's release and checks its sha512 before it unpacks and runs it.
	for _, want := range []string{
		` && curl -fLo keadm-v1.23.1-linux-"$arch".tar.gz https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/keadm-v1.23.1-linux-"$arch".tar.gz && `,
		` | sha512sum -c - && tar -xzf keadm-v1.23.1-linux-"$arch".tar.gz && `,
		` && ./keadm-v1.23.1-linux-"$arch"/keadm/keadm join --cloudcore-ipport=192.168.1.10:10000 `,
	} {
		if !strings.Contains(line, want) {
			t.Fatalf("legacy line lacks %q:\n%s", want, line)
		}
	}
	// A broken edge-watcher-config does not hide a name clash from the console.
	f.state.legacy = f.state.config.DeepCopy()
	f.state.legacy.Data = map[string]string{"version": "1.7"}
	_, err = f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "cloud-1", NodeIP: "10.0.0.9"})
	wantField(t, err, FieldName, ReasonInUse, "")
	_, err = f.svc.LegacyCommand(ctx, LegacyRequest{NodeName: "edge-m", NodeIP: "10.0.0.9"})
	var u *Unavailable
	if !errors.As(err, &u) || !strings.Contains(u.Source, "edge-watcher-config") {
		t.Fatalf("bad legacy config: %v", err)
	}
}
