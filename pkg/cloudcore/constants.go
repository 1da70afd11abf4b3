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

// Names of the objects KubeEdge keeps in the cluster.
const (
	// Namespace is where KubeEdge installs cloudcore.
	Namespace = "kubeedge"
	// ConfigMapName is the ConfigMap that holds cloudcore's configuration.
	ConfigMapName = "cloudcore"
	// ConfigKey is the ConfigMap key of the configuration file.
	ConfigKey = "cloudcore.yaml"
	// ServiceName is the Service the KubeEdge chart puts in front of cloudcore.
	ServiceName = "cloudcore"
	// TunnelPortConfigMapName is the ConfigMap that records each cloudcore's tunnel port.
	TunnelPortConfigMapName = "tunnelport"
	// TunnelPortAnnotation is the annotation of TunnelPortConfigMapName holding the JSON record.
	TunnelPortAnnotation = "tunnelportrecord.kubeedge.io"
)

// Accepted apiVersion and kind of cloudcore.yaml.
const (
	APIVersionV1alpha1 = "cloudcore.config.kubeedge.io/v1alpha1"
	APIVersionV1alpha2 = "cloudcore.config.kubeedge.io/v1alpha2"
	Kind               = "CloudCore"
)

// KubeEdge's defaults for values that cloudcore.yaml may leave out.
const (
	DefaultWebSocketPort        = 10000
	DefaultQUICPort             = 10001
	DefaultHTTPSPort            = 10002
	DefaultStreamPort           = 10003
	DefaultTunnelPort           = 10004
	DefaultTokenRefreshHours    = 12
	DefaultIPTablesManagerMode  = "internal"
	ExternalIPTablesManagerMode = "external"
)

// Port names the KubeEdge chart gives the cloudcore Service ports.
const (
	PortNameCloudHub      = "cloudhub"
	PortNameCloudHubQUIC  = "cloudhub-quic"
	PortNameCloudHubHTTPS = "cloudhub-https"
	PortNameCloudStream   = "cloudstream"
	PortNameTunnel        = "tunnelport"
)
