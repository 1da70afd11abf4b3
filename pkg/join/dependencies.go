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
	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/jointoken"
)

// Names of the KubeEdge objects the join flow depends on, as metrics, logs and health checks label them.
const (
	// DependencyCloudCoreConfig is cloudcore.yaml in ConfigMap kubeedge/cloudcore: where edges reach cloudcore.
	DependencyCloudCoreConfig = "cloudcore-config"
	// DependencyTokenSecret is Secret kubeedge/tokensecret: the join token served when tokens are not minted.
	DependencyTokenSecret = "token-secret"
	// DependencyCASecret is Secret kubeedge/casecret: the CA that signs minted tokens.
	DependencyCASecret = "ca-secret"
	// DependencyConsoleConfig is the optional ConfigMap kubeedge/edge-watcher-config of the console route.
	DependencyConsoleConfig = "console-config"
)

// Dependency is whether one KubeEdge object the join flow reads can be used now.
type Dependency struct {
	// Name is one of the Dependency* constants.
	Name string
	// Object names the object, for example "ConfigMap kubeedge/cloudcore".
	Object string
	// ResourceVersion is the object's, empty when it does not exist.
	ResourceVersion string
	// Err says why it cannot be used, exactly as a join request would be told; nil when it can.
	Err error
}

// Ready reports whether the object can be used.
func (d Dependency) Ready() bool { return d.Err == nil }

// Dependencies checks every KubeEdge object the join flow reads, with the same code a join request runs: the
// cloudcore endpoint, the token (served or minted, as configured) and the console's optional configuration.
func (s *Service) Dependencies() []Dependency {
	_, endpointErr := s.Endpoint("")
	_, tokenErr := s.Token(nil)
	_, _, consoleErr := s.legacySettings()
	token := Dependency{Name: DependencyTokenSecret, Object: "Secret " + jointoken.Namespace + "/" + jointoken.TokenSecretName,
		ResourceVersion: secretVersion(s.State.TokenSecret()), Err: tokenErr}
	if s.Tokens.Mint {
		token = Dependency{Name: DependencyCASecret, Object: "Secret " + jointoken.Namespace + "/" + jointoken.CASecretName,
			ResourceVersion: secretVersion(s.State.CASecret()), Err: tokenErr}
	}
	return []Dependency{
		{Name: DependencyCloudCoreConfig, Object: cloudCoreConfigSource, ResourceVersion: configMapVersion(s.State.CloudCoreConfig()), Err: endpointErr},
		token,
		{Name: DependencyConsoleConfig, Object: legacyConfigSource, ResourceVersion: configMapVersion(s.State.LegacyConfig()), Err: consoleErr},
	}
}

// configMapVersion is the resourceVersion of cm, empty when cm is nil.
func configMapVersion(cm *corev1.ConfigMap) string {
	if cm == nil {
		return ""
	}
	return cm.ResourceVersion
}

// secretVersion is the resourceVersion of s, empty when s is nil.
func secretVersion(s *corev1.Secret) string {
	if s == nil {
		return ""
	}
	return s.ResourceVersion
}

// DependencyNames lists the names Dependencies reports, in its order.
func (s *Service) DependencyNames() []string {
	token := DependencyTokenSecret
	if s.Tokens.Mint {
		token = DependencyCASecret
	}
	return []string{DependencyCloudCoreConfig, token, DependencyConsoleConfig}
}
