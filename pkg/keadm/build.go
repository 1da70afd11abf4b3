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

package keadm

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Build validates in and returns the `keadm join` command for in.Version.
//
// Invalid fields come back together as a *ValidationError of *FieldErrors. A setting the
// release cannot express is listed in Command.Limitations, or is an error wrapping
// ErrUnsupported when in.Strict is set.
func Build(in Input) (*Command, error) {
	p, err := newPlan(in)
	if err != nil {
		return nil, err
	}
	b := &builder{p: p, argv: []string{"keadm", "join"}}
	if err := b.build(); err != nil {
		return nil, err
	}
	if in.Strict && len(b.limits) > 0 {
		var errs fieldErrors
		for _, l := range b.limits {
			errs.add(l.Setting, fmt.Errorf("%w: %s", ErrUnsupported, l.Reason))
		}
		return nil, errs.err()
	}
	shell, err := ShellJoin(b.argv)
	if err != nil {
		return nil, fmt.Errorf("keadm join: render shell command: %w", err)
	}
	return &Command{Version: p.version, Argv: b.argv, Shell: shell, Limitations: b.limits}, nil
}

// builder accumulates argv and limitations for one plan.
type builder struct {
	p      *plan
	argv   []string
	sets   []setAssignment
	limits []Limitation
}

// flag appends --name=value; the "=" form keeps bool and string flags unambiguous for pflag.
func (b *builder) flag(name, value string) {
	b.argv = append(b.argv, "--"+name+"="+value)
}

// limit records a setting that the release cannot express.
func (b *builder) limit(setting, format string, args ...any) {
	b.limits = append(b.limits, Limitation{Setting: setting, Reason: fmt.Sprintf(format, args...)})
}

// build emits every flag in a fixed order.
func (b *builder) build() error {
	p, v := b.p, b.p.version
	b.cloudCore()
	b.flag(FlagToken, p.in.Token)
	b.flag(FlagEdgeNodeName, p.in.NodeName)
	b.flag(FlagKubeEdgeVersion, v.FlagValue())
	if p.https != DefaultHTTPSPort {
		b.flag(FlagCertPort, strconv.Itoa(int(p.https)))
	}
	b.runtime()
	if p.in.CgroupDriver != "" {
		b.flag(FlagCgroupDriver, p.in.CgroupDriver)
	}
	b.imageRepository()
	b.labels()
	b.withMQTT()
	b.nodeIP()
	b.edgeStream()
	b.taints()
	return b.flushSets()
}

// cloudCore emits --cloudcore-ipport (websocket, or quic with --hub-protocol=quic).
func (b *builder) cloudCore() {
	p := b.p
	port := p.ws
	if p.hub == HubProtocolQUIC {
		port = p.quic
	}
	b.flag(FlagCloudCoreIPPort, net.JoinHostPort(p.in.CloudCore.Host, strconv.Itoa(int(port))))
	if p.hub == HubProtocolQUIC {
		b.flag(FlagHubProtocol, string(HubProtocolQUIC))
	}
}

// runtime emits --remote-runtime-endpoint and, on v1.6 – v1.15, --runtimetype.
func (b *builder) runtime() {
	p := b.p
	if p.in.RuntimeEndpoint != "" {
		b.flag(FlagRemoteRuntimeEndpoint, p.in.RuntimeEndpoint)
	}
	if !Supports(p.version, FlagRuntimeType) {
		return
	}
	switch {
	case p.in.RuntimeType != RuntimeTypeAuto:
		b.flag(FlagRuntimeType, string(p.in.RuntimeType))
	case p.in.RuntimeEndpoint != "":
		// keadm <= v1.12 defaults to docker, which would ignore a CRI endpoint.
		b.flag(FlagRuntimeType, string(RuntimeTypeRemote))
	}
}

// imageRepository emits --image-repository on v1.11 and later.
func (b *builder) imageRepository() {
	p := b.p
	if p.in.ImageRepository == "" {
		return
	}
	if !Supports(p.version, FlagImageRepository) {
		b.limit("imageRepository", "keadm %s installs from the release tarball, not from images; --image-repository exists from v1.11", p.version)
		return
	}
	b.flag(FlagImageRepository, p.in.ImageRepository)
}

// labels emits --labels=k=v,... (sorted by key) on v1.8 and later.
func (b *builder) labels() {
	p := b.p
	if len(p.labelKeys) == 0 {
		return
	}
	if !Supports(p.version, FlagLabels) {
		b.limit("labels", "keadm %s has no --labels (added in v1.8); label the node after it registers", p.version)
		return
	}
	pairs := make([]string, len(p.labelKeys))
	for i, k := range p.labelKeys {
		// Label keys and values never contain ',', '=' or '"', so pflag's CSV split and
		// keadm's "k=v" split read them back exactly.
		pairs[i] = k + "=" + p.in.Labels[k]
	}
	b.flag(FlagLabels, strings.Join(pairs, ","))
}

// withMQTT emits --with-mqtt on v1.10 – v1.15, or records what other releases do instead.
func (b *builder) withMQTT() {
	p := b.p
	if p.in.WithMQTT == nil {
		return
	}
	want := *p.in.WithMQTT
	switch {
	case Deprecated(p.version, FlagWithMQTT):
		// v1.16 – v1.20 default to false and print a deprecation warning whenever the flag is given.
		if want {
			b.limit("withMQTT", "keadm %s deprecates --with-mqtt and starts no local MQTT broker by default "+
				"(the broker is a DaemonSet managed in the cloud); deploy that DaemonSet instead", p.version)
		}
	case Supports(p.version, FlagWithMQTT):
		b.flag(FlagWithMQTT, strconv.FormatBool(want))
	case p.version.Minor < 10 && !want:
		b.limit("withMQTT", "keadm %s always installs and starts mosquitto; --with-mqtt exists from v1.10", p.version)
	case p.version.Minor > 20 && want:
		b.limit("withMQTT", "keadm %s has no local MQTT broker (removed in v1.21; the broker is a DaemonSet managed in the cloud)", p.version)
	}
}

// nodeIP sets the node's InternalIP through --set on v1.18 and later.
func (b *builder) nodeIP() {
	p := b.p
	if p.in.NodeIP == "" {
		return
	}
	if !Supports(p.version, FlagSet) {
		b.limit("nodeIP", "keadm %s has no node-IP flag and no --set (added in v1.18); edgecore will detect the IP itself. "+
			"Set modules.edged.nodeIP: %s in /etc/kubeedge/config/edgecore.yaml and restart edgecore", p.version, p.in.NodeIP)
		return
	}
	b.sets = append(b.sets, setAssignment{key: setKeyNodeIP, value: p.in.NodeIP, kind: setString})
}

// edgeStream enables edgeStream and points it at the tunnel when that is not host:10004.
func (b *builder) edgeStream() {
	p := b.p
	defaultServer := net.JoinHostPort(p.in.CloudCore.Host, strconv.Itoa(DefaultTunnelPort))
	needServer := p.tunnelServer != defaultServer
	if Supports(p.version, FlagSet) {
		if p.in.EdgeStream {
			b.sets = append(b.sets, setAssignment{key: setKeyEdgeStreamEnable, value: "true", kind: setBool})
		}
		if needServer {
			b.sets = append(b.sets, setAssignment{key: setKeyEdgeStreamServer, value: p.tunnelServer, kind: setString})
		}
		return
	}
	if p.in.EdgeStream {
		b.limit("edgeStream", "keadm %s cannot enable edgeStream (--set exists from v1.18); "+
			"set modules.edgeStream.enable: true in /etc/kubeedge/config/edgecore.yaml and restart edgecore", p.version)
	}
	if needServer && (p.in.EdgeStream || p.in.TunnelServer != "") {
		b.limit("tunnelServer", "keadm %s always points edgeStream at %s (--set exists from v1.18); "+
			"set modules.edgeStream.server: %s in /etc/kubeedge/config/edgecore.yaml", p.version, defaultServer, p.tunnelServer)
	}
}

// taints records that no keadm release can register taints (see set.go).
func (b *builder) taints() {
	p := b.p
	if len(p.in.Taints) == 0 {
		return
	}
	specs := make([]string, len(p.in.Taints))
	for i, t := range p.in.Taints {
		// The kubectl taint spelling: key=value:effect, or key:effect without a value.
		specs[i] = t.Key + ":" + t.Effect
		if t.Value != "" {
			specs[i] = t.Key + "=" + t.Value + ":" + t.Effect
		}
	}
	b.limit("taints", "keadm %s has no taint flag, and its --set parser cannot build the []Taint of "+
		"modules.edged.tailoredKubeletConfig.registerWithTaints; apply %s to node %s once it registers",
		p.version, strings.Join(specs, ","), p.in.NodeName)
}

// flushSets emits the collected assignments as one --set argument.
func (b *builder) flushSets() error {
	if len(b.sets) == 0 {
		return nil
	}
	value, err := encodeSet(b.sets)
	if err != nil {
		return fmt.Errorf("keadm join: %w", err)
	}
	b.flag(FlagSet, value)
	return nil
}
