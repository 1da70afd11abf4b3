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

package legacy

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	tokencache "k8s.io/apiserver/pkg/authentication/token/cache"
	webhookutil "k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/apiserver/plugin/pkg/authenticator/token/webhook"
	"k8s.io/client-go/rest"
)

// NewTokenWebhookAuthenticator returns the bearer-token authenticator of AuthWebhook: it sends the
// token in a TokenReview of version to the webhook that configFile (kubeconfig format) locates,
// caches the answers for cacheTTL, and adds system:authenticated to the user's groups, as the
// delegated authenticator does. ks-apiserver's webhook answers with the user's name and UID only
// (kubesphere/kubesphere@release-4.1: pkg/kapis/oauth/handler.go, tokenReview).
func NewTokenWebhookAuthenticator(configFile, version string, cacheTTL time.Duration) (authenticator.Request, error) {
	config, err := loadTokenWebhookConfig(configFile)
	if err != nil {
		return nil, err
	}
	// Without implicit audiences: the listener's requests carry no audience to check.
	tokens, err := webhook.New(config, version, nil, *webhook.DefaultRetryBackoff())
	if err != nil {
		return nil, fmt.Errorf("token webhook %s: %w", configFile, err)
	}
	// Errors are not cached, as in kube-apiserver: a webhook outage must not outlive itself.
	cached := tokencache.New(tokens, false, cacheTTL, cacheTTL)
	return group.NewAuthenticatedGroupAdder(bearertoken.New(cached)), nil
}

// loadTokenWebhookConfig reads configFile as kube-apiserver reads its token webhook config file,
// and insists on a server URL.
func loadTokenWebhookConfig(configFile string) (*rest.Config, error) {
	config, err := webhookutil.LoadKubeconfig(configFile, nil)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", configFile, err)
	}
	if config.Host == "" {
		return nil, fmt.Errorf("loading %s: %w", configFile, errNoWebhookServer)
	}
	return config, nil
}

// errNoWebhookServer is returned for a webhook config file whose current cluster has no server.
var errNoWebhookServer = errors.New("the current context's cluster has no server URL")
