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
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// cloudCoreConfig edits cloudcore's own --defaultconfig output for a test: cloudHub and cloudStream bound to
// opts.IP, every host path (certificates, unix socket) under opts.Dir, iptablesManager off (the syncer under test
// does the forwarding), and the kubeconfig the test gives. Files that do not exist make cloudcore use the CA and
// certificates it keeps in its secrets, as a fresh installation does.
func cloudCoreConfig(defaults []byte, opts CloudCoreOptions) ([]byte, error) {
	var cfg map[string]any
	if err := yaml.Unmarshal(defaults, &cfg); err != nil {
		return nil, fmt.Errorf("parse cloudcore --defaultconfig: %w", err)
	}
	ip := opts.IP.String()
	dir := func(name string) string { return filepath.Join(opts.Dir, name) }
	advertise := make([]any, 0, len(opts.AdvertiseAddresses))
	for _, a := range opts.AdvertiseAddresses {
		advertise = append(advertise, a.String())
	}
	sets := []struct {
		path  string
		value any
	}{
		{"kubeAPIConfig.kubeConfig", opts.Kubeconfig},
		{"kubeAPIConfig.master", ""},
		{"commonConfig.monitorServer.bindAddress", net.JoinHostPort("127.0.0.1", "9091")},
		{"modules.cloudHub.advertiseAddress", advertise},
		{"modules.cloudHub.dnsNames", []any{}},
		{"modules.cloudHub.websocket.address", ip},
		{"modules.cloudHub.https.address", ip},
		{"modules.cloudHub.quic.address", ip},
		{"modules.cloudHub.quic.enable", false},
		{"modules.cloudHub.tlsCAFile", dir("ca/rootCA.crt")},
		{"modules.cloudHub.tlsCAKeyFile", dir("ca/rootCA.key")},
		{"modules.cloudHub.tlsCertFile", dir("certs/server.crt")},
		{"modules.cloudHub.tlsPrivateKeyFile", dir("certs/server.key")},
		{"modules.cloudHub.unixsocket.address", "unix://" + dir("kubeedge.sock")},
		{"modules.cloudStream.enable", opts.Stream != nil},
		{"modules.cloudStream.tlsTunnelCAFile", dir("ca/rootCA.crt")},
		{"modules.cloudStream.tlsTunnelCertFile", dir("certs/server.crt")},
		{"modules.cloudStream.tlsTunnelPrivateKeyFile", dir("certs/server.key")},
		{"modules.cloudStream.tlsStreamCAFile", dir("ca/streamCA.crt")},
		{"modules.cloudStream.tlsStreamCertFile", dir("certs/stream.crt")},
		{"modules.cloudStream.tlsStreamPrivateKeyFile", dir("certs/stream.key")},
		{"modules.iptablesManager.enable", false},
		{"modules.router.address", ip},
	}
	for _, s := range sets {
		if err := setPath(cfg, s.path, s.value); err != nil {
			return nil, fmt.Errorf("cloudcore config: %w", err)
		}
	}
	if opts.Stream != nil {
		if err := writeStreamFiles(opts); err != nil {
			return nil, err
		}
	}
	return yaml.Marshal(cfg)
}

// setPath sets the dotted path in cfg; every map on the way must exist, so a renamed field fails loudly.
func setPath(cfg map[string]any, path string, value any) error {
	m := cfg
	keys := strings.Split(path, ".")
	for i, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: no map at %s", path, strings.Join(keys[:i+1], "."))
		}
		m = next
	}
	last := keys[len(keys)-1]
	if _, ok := m[last]; !ok {
		return fmt.Errorf("%s: the default configuration has no such field", path)
	}
	m[last] = value
	return nil
}

// writeStreamFiles writes the stream CA, certificate and key where cloudCoreConfig points cloudStream.
func writeStreamFiles(opts CloudCoreOptions) error {
	if opts.StreamCA == nil {
		return fmt.Errorf("cloudcore config: Stream is set without StreamCA")
	}
	for _, d := range []string{"ca", "certs"} {
		if err := os.MkdirAll(filepath.Join(opts.Dir, d), 0o700); err != nil {
			return err
		}
	}
	if _, err := opts.StreamCA.WriteCert(filepath.Join(opts.Dir, "ca"), "streamCA"); err != nil {
		return err
	}
	_, _, err := opts.Stream.WriteFiles(filepath.Join(opts.Dir, "certs"), "stream")
	return err
}
