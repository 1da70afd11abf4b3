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

package cloudcore

import (
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// configSource names cloudcore.yaml in error messages.
const configSource = "cloudcore.yaml"

// Port is a port number together with where it came from.
type Port struct {
	// Number is the port, 1-65535.
	Number int32
	// Source says where Number came from, for example "cloudcore.yaml modules.cloudHub.websocket.port".
	Source string
}

// String renders "number (source)".
func (p Port) String() string {
	return fmt.Sprintf("%d (%s)", p.Number, p.Source)
}

// Listener is one of CloudHub's servers.
type Listener struct {
	// Enable reports whether cloudcore starts the server.
	Enable bool
	// Port is the port cloudcore listens on.
	Port Port
}

// CloudStream is cloudcore's stream module (logs, exec and metrics through the edge tunnel).
type CloudStream struct {
	// Enable reports whether the module runs.
	Enable bool
	// StreamPort is the TLS server kube-apiserver and metrics-server reach, 10003 by default.
	StreamPort Port
	// TunnelPort is the server edges' edgeStream dials, 10004 by default.
	TunnelPort Port
}

// IPTablesManager is cloudcore's tunnel-port DNAT manager.
type IPTablesManager struct {
	// Enable reports whether cloudcore manages the rules.
	Enable bool
	// Mode is "internal" (inside cloudcore) or "external" (the cloud-iptables-manager DaemonSet).
	Mode string
}

// Config is what EdgeWatcher needs from cloudcore.yaml.
type Config struct {
	// APIVersion is the document's apiVersion, empty when it has none.
	APIVersion string
	// AdvertiseAddresses are modules.cloudHub.advertiseAddress, each an IP or a DNS name; never empty.
	AdvertiseAddresses []string
	// WebSocket is CloudHub's websocket server.
	WebSocket Listener
	// QUIC is CloudHub's QUIC server.
	QUIC Listener
	// HTTPS is CloudHub's certificate server.
	HTTPS Listener
	// TokenRefresh is how often cloudcore renews the join token; tokens live twice as long.
	TokenRefresh time.Duration
	// CloudStream is the stream module.
	CloudStream CloudStream
	// IPTablesManager is the tunnel-port DNAT manager.
	IPTablesManager IPTablesManager
}

// ParseConfigMap parses the cloudcore.yaml key of the kubeedge/cloudcore ConfigMap.
func ParseConfigMap(cm *corev1.ConfigMap) (*Config, error) {
	name := "ConfigMap " + Namespace + "/" + ConfigMapName
	if cm == nil {
		return nil, fmt.Errorf("%s: not found", name)
	}
	data, ok := cm.Data[ConfigKey]
	if !ok {
		return nil, fmt.Errorf("%s: has no key %q", name, ConfigKey)
	}
	cfg, err := Parse([]byte(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cfg, nil
}

// Parse decodes cloudcore.yaml as the KubeEdge chart writes it (v1alpha1 or v1alpha2).
// Unknown fields are ignored; a missing required field, a wrong type or an out-of-range
// value is a *FieldError naming the field. Absent ports take KubeEdge's defaults.
func Parse(data []byte) (*Config, error) {
	root, err := decodeYAML(configSource, data)
	if err != nil {
		return nil, err
	}
	cfg := &Config{}
	if err := parseHeader(root, cfg); err != nil {
		return nil, err
	}
	modules, _, err := root.child("modules", true)
	if err != nil {
		return nil, err
	}
	if err := parseCloudHub(modules, cfg); err != nil {
		return nil, err
	}
	if err := parseCloudStream(modules, cfg); err != nil {
		return nil, err
	}
	if err := parseIPTablesManager(modules, cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseHeader checks apiVersion and kind when they are present.
func parseHeader(root object, cfg *Config) error {
	apiVersion, ok, err := root.str("apiVersion")
	if err != nil {
		return err
	}
	if ok && apiVersion != APIVersionV1alpha1 && apiVersion != APIVersionV1alpha2 {
		return root.fail("apiVersion", fmt.Errorf("%q must be %s or %s", truncate(apiVersion), APIVersionV1alpha2, APIVersionV1alpha1))
	}
	cfg.APIVersion = apiVersion
	kind, ok, err := root.str("kind")
	if err != nil {
		return err
	}
	if ok && kind != Kind {
		return root.fail("kind", fmt.Errorf("%q must be %s", truncate(kind), Kind))
	}
	return nil
}

// parseCloudHub reads modules.cloudHub: advertise addresses, the three servers and the token refresh.
func parseCloudHub(modules object, cfg *Config) error {
	hub, _, err := modules.child("cloudHub", true)
	if err != nil {
		return err
	}
	addrs, _, err := hub.stringList("advertiseAddress")
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		return hub.fail("advertiseAddress", errors.New("must list at least one address"))
	}
	for i, a := range addrs {
		if err := validateAddress(a); err != nil {
			return hub.fail(fmt.Sprintf("advertiseAddress[%d]", i), err)
		}
	}
	cfg.AdvertiseAddresses = addrs

	if cfg.WebSocket, err = parseListener(hub, "websocket", true, DefaultWebSocketPort); err != nil {
		return err
	}
	if cfg.QUIC, err = parseListener(hub, "quic", false, DefaultQUICPort); err != nil {
		return err
	}
	if cfg.HTTPS, err = parseListener(hub, "https", true, DefaultHTTPSPort); err != nil {
		return err
	}
	hours, ok, err := hub.integer("tokenRefreshDuration")
	if err != nil {
		return err
	}
	if !ok {
		hours = DefaultTokenRefreshHours
	}
	if hours < 1 || hours > 24*365 {
		return hub.fail("tokenRefreshDuration", fmt.Errorf("%d hours is out of range (1-8760)", hours))
	}
	cfg.TokenRefresh = time.Duration(hours) * time.Hour
	return nil
}

// parseListener reads one CloudHub server; it may be absent, in which case defaults apply.
func parseListener(hub object, key string, defaultEnable bool, defaultPort int32) (Listener, error) {
	srv, _, err := hub.child(key, false)
	if err != nil {
		return Listener{}, err
	}
	if srv.m == nil {
		srv = object{source: hub.source, path: hub.fieldPath(key)}
	}
	enable, err := srv.boolean("enable", defaultEnable)
	if err != nil {
		return Listener{}, err
	}
	port, err := srv.port("port", defaultPort)
	if err != nil {
		return Listener{}, err
	}
	return Listener{Enable: enable, Port: port}, nil
}

// parseCloudStream reads modules.cloudStream; it may be absent.
func parseCloudStream(modules object, cfg *Config) error {
	cs, _, err := modules.child("cloudStream", false)
	if err != nil {
		return err
	}
	if cs.m == nil {
		cs = object{source: modules.source, path: modules.fieldPath("cloudStream")}
	}
	if cfg.CloudStream.Enable, err = cs.boolean("enable", false); err != nil {
		return err
	}
	if cfg.CloudStream.StreamPort, err = cs.port("streamPort", DefaultStreamPort); err != nil {
		return err
	}
	cfg.CloudStream.TunnelPort, err = cs.port("tunnelPort", DefaultTunnelPort)
	return err
}

// parseIPTablesManager reads modules.iptablesManager; it may be absent.
func parseIPTablesManager(modules object, cfg *Config) error {
	im, _, err := modules.child("iptablesManager", false)
	if err != nil {
		return err
	}
	if im.m == nil {
		im = object{source: modules.source, path: modules.fieldPath("iptablesManager")}
	}
	if cfg.IPTablesManager.Enable, err = im.boolean("enable", true); err != nil {
		return err
	}
	mode, ok, err := im.str("mode")
	if err != nil {
		return err
	}
	if !ok {
		mode = DefaultIPTablesManagerMode
	}
	if mode != DefaultIPTablesManagerMode && mode != ExternalIPTablesManagerMode {
		return im.fail("mode", fmt.Errorf("%q must be internal or external", truncate(mode)))
	}
	cfg.IPTablesManager.Mode = mode
	return nil
}
