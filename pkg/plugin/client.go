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

package plugin

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/edgewatcher/edgewatcher/pkg/generated/clientset/versioned"
)

// clientFlags load kubeconfig the way kubectl does: --kubeconfig, else $KUBECONFIG, else
// ~/.kube/config, with --context, --server, --token, --as and the other kubectl overrides applied.
type clientFlags struct {
	loading   *clientcmd.ClientConfigLoadingRules
	overrides clientcmd.ConfigOverrides
	warnings  io.Writer
}

// newClientFlags returns client flags that print server warnings to warnings.
func newClientFlags(warnings io.Writer) *clientFlags {
	return &clientFlags{loading: clientcmd.NewDefaultClientConfigLoadingRules(), warnings: warnings}
}

// addFlags registers kubectl's connection flags; there is no --namespace because edge nodes are cluster-scoped.
func (f *clientFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.loading.ExplicitPath, clientcmd.RecommendedConfigPathFlag, "", "Path to the kubeconfig file to use for CLI requests.")
	names := clientcmd.RecommendedConfigOverrideFlags("")
	names.ContextOverrideFlags.Namespace = clientcmd.FlagInfo{}
	clientcmd.BindOverrideFlags(&f.overrides, fs, names)
}

// restConfig returns the client configuration selected by the flags and the environment.
func (f *clientFlags) restConfig() (*rest.Config, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(f.loading, &f.overrides).ClientConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = userAgent()
	cfg.WarningHandler = rest.NewWarningWriter(f.warnings, rest.WarningWriterOptions{Deduplicate: true})
	return cfg, nil
}

// clientset returns the typed EdgeWatcher client selected by the flags and the environment.
func (f *clientFlags) clientset() (versioned.Interface, error) {
	cfg, err := f.restConfig()
	if err != nil {
		return nil, err
	}
	cs, err := versioned.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	return cs, nil
}
