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

package app

import (
	"fmt"
	"os"

	"k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/compatibility"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset/typed/apiregistration/v1"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/apiserver"
	"github.com/edgewatcher/edgewatcher/pkg/apiservice"
	"github.com/edgewatcher/edgewatcher/pkg/coverage"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
	generatedopenapi "github.com/edgewatcher/edgewatcher/pkg/generated/openapi"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/legacy"
)

// ServerConfig builds the API server configuration from validated options, preparing the serving certificate
// first.
func (o *Options) ServerConfig() (*apiserver.Config, error) {
	if err := o.prepareServingCert(); err != nil {
		return nil, err
	}
	restConfig, err := o.restConfig()
	if err != nil {
		return nil, err
	}
	generic, err := o.genericConfig()
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return nil, fmt.Errorf("creating Kubernetes client: %w", err)
	}
	view := edgeview.NewCacheWithHistory(o.WatchHistory)
	addresses := ipam.NewIndex()
	view.IndexAddresses(addresses)
	nodeInformer, err := edgeview.NewNodeInformer(client, view)
	if err != nil {
		return nil, fmt.Errorf("creating the Node informer: %w", err)
	}
	joinConfig, err := o.joinConfig(client, nodeInformer, addresses)
	if err != nil {
		return nil, err
	}
	if o.Legacy.ListenAddress != "" {
		// The delegated authenticator before Complete: without the loopback token it adds.
		if joinConfig.LegacyAuthenticator, err = o.Legacy.Authenticator(generic.Authentication.Authenticator); err != nil {
			return nil, fmt.Errorf("console listener authentication: %w", err)
		}
	}
	generic.RequestInfoResolver = legacy.RequestInfoResolver(genericapiserver.NewRequestInfoResolver(generic))

	extra := apiserver.ExtraConfig{
		NodeInformer: nodeInformer,
		View:         view,
		Join:         joinConfig,
		// The syncers heartbeat in the KubeEdge namespace.
		CoverageInformer: coverage.NewInformer(client, o.Join.KubeEdgeNamespace),
		Coverage:         coverage.NewTracker(),
	}
	if o.Service.RegisterAPIService {
		if extra.APIService, err = o.registrar(restConfig); err != nil {
			return nil, err
		}
	}
	return &apiserver.Config{GenericConfig: generic, ExtraConfig: extra}, nil
}

func (o *Options) genericConfig() (*genericapiserver.Config, error) {
	c := genericapiserver.NewConfig(apiserver.Codecs)
	c.Serializer = apiserver.Serializer
	c.EffectiveVersion = compatibility.DefaultBuildEffectiveVersion()
	if err := o.SecureServing.ApplyTo(&c.SecureServing, &c.LoopbackClientConfig); err != nil {
		return nil, err
	}
	o.Limits.ApplyTo(c)
	namer := openapi.NewDefinitionNamer(apiserver.Scheme)
	c.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(generatedopenapi.GetOpenAPIDefinitions, namer)
	c.OpenAPIConfig.Info.Title = "EdgeWatcher"
	c.OpenAPIConfig.Info.Version = v1alpha1.SchemeGroupVersion.Version
	c.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(generatedopenapi.GetOpenAPIDefinitions, namer)
	c.OpenAPIV3Config.Info.Title = "EdgeWatcher"
	c.OpenAPIV3Config.Info.Version = v1alpha1.SchemeGroupVersion.Version
	if err := o.Authentication.ApplyTo(&c.Authentication, c.SecureServing, c.OpenAPIConfig); err != nil {
		return nil, err
	}
	if err := o.Authorization.ApplyTo(&c.Authorization); err != nil {
		return nil, err
	}
	if err := o.Audit.ApplyTo(c); err != nil {
		return nil, err
	}
	if err := o.Features.ApplyTo(c, nil, nil); err != nil {
		return nil, err
	}
	return c, nil
}

func (o *Options) restConfig() (*rest.Config, error) {
	var (
		config *rest.Config
		err    error
	)
	if o.Kubeconfig != "" {
		config, err = clientcmd.BuildConfigFromFlags("", o.Kubeconfig)
	} else {
		config, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	config.UserAgent = "edgewatcher-apiserver"
	config.QPS, config.Burst = o.KubeAPIQPS, o.KubeAPIBurst
	// Protobuf keeps 100k-Node lists and watches cheap to decode.
	config.ContentType = "application/vnd.kubernetes.protobuf"
	config.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	return config, nil
}

func (o *Options) registrar(restConfig *rest.Config) (*apiservice.Registrar, error) {
	caBundle, err := o.caBundle()
	if err != nil {
		return nil, err
	}
	jsonConfig := rest.CopyConfig(restConfig)
	jsonConfig.ContentType, jsonConfig.AcceptContentTypes = "", ""
	client, err := aggregatorclient.NewForConfig(jsonConfig)
	if err != nil {
		return nil, fmt.Errorf("creating APIService client: %w", err)
	}
	return &apiservice.Registrar{
		Client:           client,
		Group:            v1alpha1.GroupName,
		Version:          v1alpha1.SchemeGroupVersion.Version,
		ServiceNamespace: o.Service.Namespace,
		ServiceName:      o.Service.Name,
		ServicePort:      o.Service.Port,
		CABundle:         caBundle,
	}, nil
}

// caBundle returns the PEM the APIService trusts: the given file or the serving certificate chain.
func (o *Options) caBundle() ([]byte, error) {
	if o.Service.CABundleFile != "" {
		b, err := os.ReadFile(o.Service.CABundleFile)
		if err != nil {
			return nil, fmt.Errorf("reading --apiservice-ca-file: %w", err)
		}
		return b, nil
	}
	if f := o.SecureServing.ServerCert.CertKey.CertFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading serving certificate for the APIService CA bundle: %w", err)
		}
		return b, nil
	}
	if g := o.SecureServing.ServerCert.GeneratedCert; g != nil {
		cert, _ := g.CurrentCertKeyContent()
		return cert, nil
	}
	return nil, fmt.Errorf("no serving certificate to put in the APIService; set --apiservice-ca-file")
}
