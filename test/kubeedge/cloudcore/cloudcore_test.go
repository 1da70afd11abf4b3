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

package cloudcore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// Edge nodes the tests register, as edged reports them once its tunnel is connected: the InternalIP and, as
// kubeletEndpoint port, the tunnel port of the cloudcore holding the tunnel.
const (
	edgeA   = "edge-a"
	edgeAIP = "192.0.2.10"
	edgeB   = "edge-b"
	edgeBIP = "192.0.2.11"
	podNS   = "default"
)

// TestRealCloudCore runs EdgeWatcher against two real cloudcores, step by step; a failed step stops the test,
// since later steps build on its state.
func TestRealCloudCore(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, ctx)
	step := func(name string, fn func(t *testing.T)) {
		if !t.Failed() {
			t.Run(name, fn)
		}
	}
	var ports [2]int
	step("the cloudcores negotiate one tunnel port each, from 10351", func(t *testing.T) {
		for i, cc := range e.cloudcores {
			port, _, err := cc.TunnelPort(ctx, e.cp)
			if err != nil {
				t.Fatal(err)
			}
			if want := 10351 + i; port != want {
				t.Errorf("%s owns tunnel port %d, want %d", cc.Name, port, want)
			}
			ports[i] = port
		}
	})
	ew := startEdgeWatcher(t, ctx, e.cp)
	step("jointoken serves the token cloudcore wrote", func(t *testing.T) { checkServedToken(t, ctx, e) })
	step("an edge with the joincommand's token gets a certificate from cloudcore", func(t *testing.T) {
		checkJoinCommandBootstraps(t, ctx, e)
	})
	step("cloudcore refuses a tampered or expired token", func(t *testing.T) { checkRefusedTokens(t, ctx, e) })
	step("with --mint-tokens, cloudcore accepts the token EdgeWatcher minted", func(t *testing.T) {
		if err := ew.Stop(); err != nil {
			t.Fatal(err)
		}
		startEdgeWatcher(t, ctx, e.cp, "--mint-tokens")
		checkMintedToken(t, ctx, e)
	})
	if t.Failed() {
		return
	}
	checkForwarding(t, ctx, e, ports)
}

// startEdgeWatcher starts edgewatcher-apiserver in the control-plane host namespace with args.
func startEdgeWatcher(t *testing.T, ctx context.Context, cp *framework.ControlPlane, args ...string) *framework.EdgeWatcher {
	t.Helper()
	ew, err := cp.StartEdgeWatcher(ctx, framework.EdgeWatcherOptions{ExtraArgs: args})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("----- edgewatcher-apiserver log tail -----\n%s", ew.LogTail(40))
		}
	})
	return ew
}

// checkServedToken compares the jointoken answer with kubeedge/tokensecret as cloudcore wrote it.
func checkServedToken(t *testing.T, ctx context.Context, e *env) {
	reserve(t, ctx, e.cp, "token-node", "192.0.2.20")
	status := joinToken(t, ctx, e.cp, "token-node", "")
	secret, err := e.cp.Client().CoreV1().Secrets(framework.KubeEdgeNamespace).Get(ctx, framework.TokenSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := string(secret.Data["tokendata"]); status.Token != want || want == "" {
		t.Errorf("jointoken served a token other than cloudcore's tokensecret (served %d characters, secret %d)", len(status.Token), len(want))
	}
}

// checkJoinCommandBootstraps generates a command and bootstraps an edge with what it sets: the cloudcore
// address, the certificate port and the token.
func checkJoinCommandBootstraps(t *testing.T, ctx context.Context, e *env) {
	reserve(t, ctx, e.cp, edgeA, edgeAIP)
	cmd := joinCommand(t, ctx, e.cp, edgeA)
	host, _, err := net.SplitHostPort(flagValue(t, cmd.Args, "--cloudcore-ipport"))
	if err != nil {
		t.Fatal(err)
	}
	if host != framework.CloudcoreIP(0) {
		t.Errorf("the command dials cloudcore at %s, want its first advertise address %s", host, framework.CloudcoreIP(0))
	}
	certPort := flagValueOr(cmd.Args, "--certport", fmt.Sprint(framework.CloudHubHTTPSPort))
	cert, err := framework.BootstrapEdge(ctx, e.top.Host, net.JoinHostPort(host, certPort), flagValue(t, cmd.Args, "--token"), edgeA)
	if err != nil {
		t.Fatalf("bootstrapping %s with the generated command's token: %v", edgeA, err)
	}
	if want := "system:node:" + edgeA; cert.Subject.CommonName != want {
		t.Errorf("cloudcore issued a certificate for %q, want %q", cert.Subject.CommonName, want)
	}
	t.Logf("cloudcore %s issued %q, valid until %s", host, cert.Subject.CommonName, cert.NotAfter.Format(time.RFC3339))
}

// checkRefusedTokens shows that cloudcore's answer depends on the token: a negative control for the bootstrap.
func checkRefusedTokens(t *testing.T, ctx context.Context, e *env) {
	hub := net.JoinHostPort(framework.CloudcoreIP(0), fmt.Sprint(framework.CloudHubHTTPSPort))
	caSecret, err := e.cp.Client().CoreV1().Secrets(framework.KubeEdgeNamespace).Get(ctx, framework.CASecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expired, _, err := jointoken.MintFromSecret(caSecret, time.Hour, time.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	valid := joinToken(t, ctx, e.cp, "token-node", "").Token
	for name, token := range map[string]string{"tampered": tamper(valid), "expired": expired} {
		_, err := framework.BootstrapEdge(ctx, e.top.Host, hub, token, edgeA)
		var refused *framework.EdgeBootstrapError
		if !errors.As(err, &refused) || refused.StatusCode != 401 {
			t.Errorf("%s token: cloudcore answered %v, want a 401 refusal", name, err)
			continue
		}
		t.Logf("%s token: %v", name, err)
	}
}

// checkMintedToken bootstraps an edge with a token EdgeWatcher minted from kubeedge/casecret.
func checkMintedToken(t *testing.T, ctx context.Context, e *env) {
	reserve(t, ctx, e.cp, "minted-node", "192.0.2.21")
	status := joinToken(t, ctx, e.cp, "minted-node", `{"ttlSeconds":600}`)
	secret, err := e.cp.Client().CoreV1().Secrets(framework.KubeEdgeNamespace).Get(ctx, framework.TokenSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if status.Token == string(secret.Data["tokendata"]) {
		t.Fatalf("with --mint-tokens jointoken served cloudcore's tokensecret (source %q)", status.Source)
	}
	if left := time.Until(status.ExpiresAt); left <= 0 || left > 10*time.Minute {
		t.Errorf("the minted token expires in %v, want within the requested 10m", left)
	}
	hub := net.JoinHostPort(framework.CloudcoreIP(1), fmt.Sprint(framework.CloudHubHTTPSPort))
	cert, err := framework.BootstrapEdge(ctx, e.top.Host, hub, status.Token, "minted-node")
	if err != nil {
		t.Fatalf("bootstrapping with the minted token (source %q) at the second cloudcore: %v", status.Source, err)
	}
	t.Logf("cloudcore %s accepted the minted token (source %q): issued %q", hub, status.Source, cert.Subject.CommonName)
}

// tamper changes one character of the token's signature.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) - 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// flagValue returns the value of --name=value in args and fails the test without one.
func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	v := flagValueOr(args, name, "")
	if v == "" {
		t.Fatalf("the generated command has no %s: %q", name, args)
	}
	return v
}

// flagValueOr returns the value of --name=value in args, or def.
func flagValueOr(args []string, name, def string) string {
	if i := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, name+"=") }); i >= 0 {
		return strings.TrimPrefix(args[i], name+"=")
	}
	return def
}

// reserve reserves name and ip, failing the test otherwise.
func reserve(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name, ip string) {
	t.Helper()
	if err := cp.ReserveEdgeNode(ctx, name, ip); err != nil {
		t.Fatal(err)
	}
}

// joinToken creates a JoinToken for name, failing the test otherwise.
func joinToken(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name, spec string) framework.JoinTokenStatus {
	t.Helper()
	st, err := cp.JoinToken(ctx, name, spec)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// joinCommand creates a JoinCommand for name and the release under test, failing the test otherwise.
func joinCommand(t *testing.T, ctx context.Context, cp *framework.ControlPlane, name string) framework.JoinCommandStatus {
	t.Helper()
	st, err := cp.JoinCommand(ctx, name, framework.KubeEdgeCoreTag)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
