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

// Default CloudCore ports, as KubeEdge configures them.
const (
	DefaultWebSocketPort = 10000
	DefaultQUICPort      = 10001
	DefaultHTTPSPort     = 10002
	DefaultTunnelPort    = 10004
)

// HubProtocol is the protocol the edge uses to reach CloudHub.
type HubProtocol string

// Hub protocols that keadm understands.
const (
	HubProtocolWebSocket HubProtocol = "websocket"
	HubProtocolQUIC      HubProtocol = "quic"
)

// RuntimeType is keadm's --runtimetype (v1.6 – v1.15 only).
type RuntimeType string

// Runtime types. The zero value lets Build decide: remote when a runtime endpoint is given.
const (
	RuntimeTypeAuto   RuntimeType = ""
	RuntimeTypeRemote RuntimeType = "remote"
	RuntimeTypeDocker RuntimeType = "docker"
)

// Cgroup drivers that keadm accepts.
const (
	CgroupDriverCgroupfs = "cgroupfs"
	CgroupDriverSystemd  = "systemd"
)

// Taint effects that a node taint may have.
const (
	TaintEffectNoSchedule       = "NoSchedule"
	TaintEffectPreferNoSchedule = "PreferNoSchedule"
	TaintEffectNoExecute        = "NoExecute"
)

// CloudCore is where the edge reaches cloudcore: one host and the ports as seen from the edge.
type CloudCore struct {
	// Host is an IP address (canonical form) or a DNS-1123 name; it must be in cloudcore's advertiseAddress.
	Host string
	// WebSocketPort is CloudHub's websocket port; 0 means 10000.
	WebSocketPort int32
	// QUICPort is CloudHub's QUIC port; 0 means 10001.
	QUICPort int32
	// HTTPSPort is CloudHub's certificate (HTTPS) port; 0 means 10002.
	HTTPSPort int32
	// TunnelPort is CloudStream's tunnel port; 0 means 10004.
	TunnelPort int32
}

// Taint is a node taint to register the node with.
type Taint struct {
	// Key is the taint key, a qualified name such as node-role.kubernetes.io/edge.
	Key string
	// Value is the taint value, a label value (may be empty).
	Value string
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string
}

// Input is everything Build needs to produce a `keadm join` command.
type Input struct {
	// Version is the KubeEdge release, strict vMAJOR.MINOR.PATCH, v1.6.0 to v1.23.x.
	Version string
	// CloudCore is the cloudcore address and ports as reachable from the edge.
	CloudCore CloudCore
	// HubProtocol selects websocket (default) or quic (v1.16 and later).
	HubProtocol HubProtocol
	// Token is the join token, "<64 hex>.<JWT>".
	Token string
	// NodeName is the edge node's name, a DNS-1123 subdomain.
	NodeName string
	// NodeIP is the node's InternalIP in canonical form; empty lets edgecore detect it.
	NodeIP string
	// Labels are node labels (keadm --labels, v1.8 and later).
	Labels map[string]string
	// Taints are taints to register the node with; no keadm release can apply them (see Limitation).
	Taints []Taint
	// RuntimeEndpoint is the CRI socket, unix:///abs/path or npipe://./pipe/name.
	RuntimeEndpoint string
	// RuntimeType overrides keadm's --runtimetype on v1.6 – v1.15.
	RuntimeType RuntimeType
	// CgroupDriver is cgroupfs or systemd; empty keeps keadm's default (cgroupfs).
	CgroupDriver string
	// ImageRepository is the registry prefix for kubeedge images (v1.11 and later).
	ImageRepository string
	// EdgeStream enables edgecore's edgeStream module, needed for logs, exec and metrics (v1.18 and later).
	EdgeStream bool
	// TunnelServer overrides the edgeStream tunnel server "host:port"; empty means CloudCore.Host:TunnelPort.
	TunnelServer string
	// WithMQTT sets --with-mqtt (v1.10 – v1.20); nil leaves the release default.
	WithMQTT *bool
	// Strict turns every Limitation into an error.
	Strict bool
}

// Limitation is a requested setting that the chosen keadm release cannot express.
type Limitation struct {
	// Setting names the Input field, for example "nodeIP" or "taints".
	Setting string
	// Reason says why, and what the operator can do instead.
	Reason string
}

// String renders the limitation as "setting: reason".
func (l Limitation) String() string {
	return l.Setting + ": " + l.Reason
}

// Command is a built `keadm join` command.
type Command struct {
	// Version is the KubeEdge release the command targets.
	Version Version
	// Argv is the command word by word, starting with "keadm", "join".
	Argv []string
	// Shell is Argv as one line of POSIX shell with every word safely quoted.
	Shell string
	// Limitations lists requested settings that this release cannot express.
	Limitations []Limitation
}
