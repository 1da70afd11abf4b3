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

package framework

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/edgewatcher/edgewatcher/test/netns"
)

// KubeEdgeCoreTag is the KubeEdge release whose cloudcore and edgecore the tests run (make kubeedge-cloudcore).
const KubeEdgeCoreTag = "v1.23.1"

// Cloudcore's fixed ports.
const (
	CloudHubWebsocketPort = 10000
	CloudHubHTTPSPort     = 10002
	CloudStreamPort       = 10003
	CloudTunnelPort       = 10004
)

// CloudCoreOptions configures StartCloudCore.
type CloudCoreOptions struct {
	// Netns is the namespace cloudcore runs in; IP is its address there, where cloudHub and cloudStream listen.
	Netns *netns.Namespace
	IP    net.IP
	// AdvertiseAddresses go into cloudHub.advertiseAddress, the SANs of the hub certificate that the first
	// cloudcore creates and every other one reuses; default [IP].
	AdvertiseAddresses []net.IP
	// Kubeconfig reaches kube-apiserver from Netns (ControlPlane.KubeconfigVia).
	Kubeconfig string
	// Stream, when set, enables cloudStream on CloudStreamPort and CloudTunnelPort with this serving certificate,
	// as `keadm init` does with the stream certificates it generates; StreamCA is the CA that issued it.
	Stream   *KeyPair
	StreamCA *CA
	// Dir holds the configuration, certificates, socket and log; it must exist.
	Dir string
	// Tag is the KubeEdge release; default KubeEdgeCoreTag.
	Tag string
}

// CloudCore is a running cloudcore.
type CloudCore struct {
	Name       string
	IP         net.IP
	ConfigPath string
	LogPath    string
	Process    *Process
	ns         *netns.Namespace
}

// StartCloudCore starts cloudcore with a configuration derived from its own --defaultconfig (every host path moved
// under opts.Dir, iptablesManager off) and waits until its hub serves /ca.crt, its stream server (if enabled)
// accepts TLS, and the tunnelport record names opts.IP. The KubeEdge CRDs must be installed (InstallKubeEdgeCRDs).
func StartCloudCore(ctx context.Context, cp *ControlPlane, name string, opts CloudCoreOptions) (*CloudCore, error) {
	if opts.Tag == "" {
		opts.Tag = KubeEdgeCoreTag
	}
	bin, err := KubeEdgeBinPath(opts.Tag, "cloudcore")
	if err != nil {
		return nil, err
	}
	if len(opts.AdvertiseAddresses) == 0 {
		opts.AdvertiseAddresses = []net.IP{opts.IP}
	}
	defaults, err := exec.CommandContext(ctx, bin, "--defaultconfig").Output()
	if err != nil {
		return nil, fmt.Errorf("cloudcore --defaultconfig: %w", err)
	}
	config, err := cloudCoreConfig(defaults, opts)
	if err != nil {
		return nil, err
	}
	cc := &CloudCore{
		Name:       name,
		IP:         opts.IP,
		ConfigPath: filepath.Join(opts.Dir, name+".yaml"),
		LogPath:    filepath.Join(opts.Dir, name+".log"),
		ns:         opts.Netns,
	}
	if err := os.WriteFile(cc.ConfigPath, config, 0o600); err != nil {
		return nil, err
	}
	bin, args := commandIn(opts.Netns, bin, []string{"--config=" + cc.ConfigPath, "-v=2"})
	if cc.Process, err = StartProcess(name, cc.LogPath, bin, args...); err != nil {
		return nil, err
	}
	if err := cc.waitReady(ctx, cp, opts.Stream != nil); err != nil {
		_ = cc.Process.Stop(DefaultStopTimeout)
		return nil, fmt.Errorf("%s did not become ready: %w\n%s", name, err, formatTail(name+" log", cc.LogPath, 40))
	}
	return cc, nil
}

// cloudCoreStartTimeout covers cloudcore's deliberate random sleep of up to 9 s before it negotiates its tunnel
// port, plus start-up on a busy machine.
const cloudCoreStartTimeout = 90 * time.Second

func (cc *CloudCore) waitReady(ctx context.Context, cp *ControlPlane, stream bool) error {
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DialContext:       DialContextIn(cc.ns),
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // readiness only; the tests verify the CA by the token's hash
		DisableKeepAlives: true,
	}}
	hub := fmt.Sprintf("https://%s/ca.crt", net.JoinHostPort(cc.IP.String(), fmt.Sprint(CloudHubHTTPSPort)))
	if err := waitUntil(ctx, cloudCoreStartTimeout, cc.Name+" "+hub, func(ctx context.Context) (bool, error) {
		_, err := httpGet(ctx, client, hub, nil)
		return err == nil, err
	}, cc.Process); err != nil {
		return err
	}
	if err := waitUntil(ctx, cloudCoreStartTimeout, cc.Name+"'s tunnelport record", func(ctx context.Context) (bool, error) {
		_, ok, err := cc.TunnelPort(ctx, cp)
		return ok, err
	}, cc.Process); err != nil {
		return err
	}
	if !stream {
		return nil
	}
	addr := net.JoinHostPort(cc.IP.String(), fmt.Sprint(CloudStreamPort))
	return waitUntil(ctx, 30*time.Second, cc.Name+" stream server "+addr, func(ctx context.Context) (bool, error) {
		_, err := TLSHandshakeIn(ctx, cc.ns, addr)
		return err == nil, err
	}, cc.Process)
}

// TunnelPort returns the tunnel port the kubeedge/tunnelport record gives cloudcore's IP.
func (cc *CloudCore) TunnelPort(ctx context.Context, cp *ControlPlane) (int, bool, error) {
	cm, err := cp.Client().CoreV1().ConfigMaps(KubeEdgeNamespace).Get(ctx, TunnelPortConfigMap, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return 0, false, errors.New("configmap kubeedge/tunnelport not found")
	}
	if err != nil {
		return 0, false, err
	}
	var record struct {
		IPTunnelPort map[string]int `json:"ipTunnelPort"`
	}
	raw := cm.Annotations[TunnelPortAnnotation]
	if err := json.Unmarshal([]byte(raw), &record); err != nil {
		return 0, false, fmt.Errorf("tunnelport annotation %q: %w", raw, err)
	}
	port, ok := record.IPTunnelPort[cc.IP.String()]
	if !ok {
		return 0, false, fmt.Errorf("tunnelport record %s has no entry for %s", raw, cc.IP)
	}
	return port, true, nil
}

// PublishConfigMap stores the configuration cloudcore runs with as ConfigMap kubeedge/cloudcore, key cloudcore.yaml,
// where its Helm chart keeps it and EdgeWatcher reads the addresses and ports edges dial.
func (cc *CloudCore) PublishConfigMap(ctx context.Context, cp *ControlPlane) error {
	b, err := os.ReadFile(cc.ConfigPath)
	if err != nil {
		return err
	}
	cms := cp.Client().CoreV1().ConfigMaps(KubeEdgeNamespace)
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: CloudCoreConfigMap, Namespace: KubeEdgeNamespace},
		Data:       map[string]string{"cloudcore.yaml": string(b)},
	}
	if _, err = cms.Create(ctx, cm, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
	}
	return err
}

// LogCount returns how many lines of cloudcore's log hold s.
func (cc *CloudCore) LogCount(s string) int {
	b, err := os.ReadFile(cc.LogPath)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), s)
}

// TLSHandshakeIn completes a TLS handshake with the server at addr, dialing inside ns, and returns the connection
// state, whose PeerCertificates tell which server answered.
func TLSHandshakeIn(ctx context.Context, ns *netns.Namespace, addr string) (*tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	raw, err := DialContextIn(ns)(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer func() { _ = raw.Close() }()
	conn := tls.Client(raw, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // the caller inspects the certificate
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	st := conn.ConnectionState()
	return &st, nil
}
