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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

var testNow = time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)

const testCloudCoreYAML = `modules:
  cloudHub:
    advertiseAddress: [192.168.1.10]
    websocket: {port: 10000}
    quic: {port: 10001}
    https: {port: 10002}
  cloudStream:
    enable: true
    streamPort: 10003
    tunnelPort: 10004
`

// fakeState is an in-memory ClusterState.
type fakeState struct {
	nodes    map[string]bool
	config   *corev1.ConfigMap
	service  *corev1.Service
	token    *corev1.Secret
	ca       *corev1.Secret
	legacy   *corev1.ConfigMap
	svcCIDRs []netip.Prefix
}

func (f *fakeState) NodeExists(name string) bool        { return f.nodes[name] }
func (f *fakeState) CloudCoreConfig() *corev1.ConfigMap { return f.config }
func (f *fakeState) CloudCoreService() *corev1.Service  { return f.service }
func (f *fakeState) TokenSecret() *corev1.Secret        { return f.token }
func (f *fakeState) CASecret() *corev1.Secret           { return f.ca }
func (f *fakeState) LegacyConfig() *corev1.ConfigMap    { return f.legacy }
func (f *fakeState) ServiceCIDRs() []netip.Prefix       { return f.svcCIDRs }
func (f *fakeState) Synced() bool                       { return true }

// testCA returns a cloudcore-style CA certificate and key, DER.
func testCA(t testing.TB) (cert, key []byte) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "KubeEdge"},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(24 * 365 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	cert, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		t.Fatal(err)
	}
	key, err = x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

type fixture struct {
	svc     *Service
	state   *fakeState
	tracker *reservation.Tracker
	client  *fake.Clientset
	ca      [2][]byte
}

// newFixture builds a Service over a fake clientset whose Lease events feed the tracker synchronously.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	cert, key := testCA(t)
	token, _, err := jointoken.Mint(cert, key, 24*time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: "kubeedge", Name: name} }
	state := &fakeState{
		nodes:    map[string]bool{"cloud-1": true, "edge-joined": true},
		config:   &corev1.ConfigMap{ObjectMeta: meta("cloudcore"), Data: map[string]string{"cloudcore.yaml": testCloudCoreYAML}},
		token:    &corev1.Secret{ObjectMeta: meta("tokensecret"), Data: map[string][]byte{"tokendata": []byte(token)}},
		ca:       &corev1.Secret{ObjectMeta: meta("casecret"), Data: map[string][]byte{"cadata": cert, "cakeydata": key}},
		svcCIDRs: []netip.Prefix{netip.MustParsePrefix("10.96.0.0/12")},
	}
	idx := ipam.NewIndex()
	idx.Set(ipam.Owner{Kind: ipam.KindNode, Name: "cloud-1", AddressType: "InternalIP"}, []netip.Addr{netip.MustParseAddr("192.168.1.2")})
	idx.Set(ipam.Owner{Kind: ipam.KindNode, Name: "cloud-1", AddressType: "ExternalIP"}, []netip.Addr{netip.MustParseAddr("203.0.113.7")})
	idx.Set(ipam.Owner{Kind: ipam.KindCloudCore, Name: "cloudcore", AddressType: "AdvertiseAddress"}, []netip.Addr{netip.MustParseAddr("192.168.1.10")})
	tracker := reservation.NewTracker()
	tracker.Subscribe(IndexReservations(idx))
	client := fake.NewClientset()
	w, err := client.CoordinationV1().Leases("kubeedge").Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	clock := testNow
	store := &reservation.Store{Leases: client.CoordinationV1(), Namespace: "kubeedge", TTL: time.Hour, Now: func() time.Time { return clock }}
	f := &fixture{
		svc: &Service{State: state, Addresses: idx, Reservations: tracker, Store: store,
			Tokens: TokenPolicy{MaxTTL: 24 * time.Hour, DefaultTTL: time.Hour}, Now: func() time.Time { return clock }},
		state: state, tracker: tracker, client: client, ca: [2][]byte{cert, key},
	}
	// Deliver Lease events to the tracker as an informer would.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			switch ev.Type {
			case "ADDED":
				tracker.OnAdd(ev.Object, false)
			case "MODIFIED":
				tracker.OnUpdate(nil, ev.Object)
			case "DELETED":
				tracker.OnDelete(ev.Object)
			}
		}
	}()
	t.Cleanup(func() { w.Stop(); <-done })
	return f
}

// settle waits until the tracker holds n reservations.
func (f *fixture) settle(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.tracker.Len() != n {
		if time.Now().After(deadline) {
			t.Fatalf("tracker has %d reservations, want %d", f.tracker.Len(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
