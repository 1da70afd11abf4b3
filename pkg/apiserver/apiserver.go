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

// Package apiserver assembles the EdgeWatcher aggregated API server.
package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/pkg/apiservice"
	"github.com/edgewatcher/edgewatcher/pkg/coverage"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
	"github.com/edgewatcher/edgewatcher/registry/edgenode"
)

// ExtraConfig holds the EdgeWatcher-specific configuration.
type ExtraConfig struct {
	// NodeInformer lists and watches Nodes into View (see edgeview.NewNodeInformer).
	NodeInformer cache.SharedIndexInformer
	// View is the EdgeNode view fed by the Node informer.
	View *edgeview.Cache
	// APIService registers the server's own APIService after start; nil disables it.
	APIService *apiservice.Registrar
	// Join is the join flow and its caches; nil serves edgenodes read-only.
	Join *JoinConfig
	// CoverageInformer watches the syncers' heartbeat Leases into Coverage; nil disables coverage.
	CoverageInformer cache.SharedIndexInformer
	// Coverage turns heartbeats into per-node forwarding coverage.
	Coverage *coverage.Tracker
}

// Config is the configuration of the EdgeWatcher API server.
type Config struct {
	GenericConfig *genericapiserver.Config
	ExtraConfig   ExtraConfig
}

type completedConfig struct {
	GenericConfig genericapiserver.CompletedConfig
	ExtraConfig   *ExtraConfig
}

// CompletedConfig embeds a private pointer that cannot be instantiated outside of this package.
type CompletedConfig struct {
	*completedConfig
}

// Server is the EdgeWatcher API server.
type Server struct {
	GenericAPIServer *genericapiserver.GenericAPIServer
}

// Complete fills in any fields not set that are required to have valid data. It mutates the receiver.
func (cfg *Config) Complete() CompletedConfig {
	return CompletedConfig{&completedConfig{
		GenericConfig: cfg.GenericConfig.Complete(nil),
		ExtraConfig:   &cfg.ExtraConfig,
	}}
}

// New returns a new Server from the given config.
func (c completedConfig) New() (*Server, error) {
	genericServer, err := c.GenericConfig.New("edgewatcher-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, err
	}
	extra := c.ExtraConfig
	registration, err := extra.NodeInformer.AddEventHandler(extra.View)
	if err != nil {
		return nil, fmt.Errorf("watching nodes: %w", err)
	}

	apiGroupInfo := genericapiserver.NewDefaultAPIGroupInfo(kubeedge.GroupName, Scheme, metav1.ParameterCodec, Codecs)
	apiGroupInfo.NegotiatedSerializer = Serializer
	storage := map[string]rest.Storage{"edgenodes": edgenode.NewREST(extra.View, nil)}
	if extra.Join != nil {
		extra.Join.addStorage(storage, extra.View, c.GenericConfig.Authorization.Authorizer)
	}
	if extra.Coverage != nil {
		storage["edgenodes"].(*edgenode.REST).WithCoverage(extra.Coverage.Of)
		if _, err := extra.CoverageInformer.AddEventHandler(extra.Coverage); err != nil {
			return nil, err
		}
		genericServer.AddPostStartHookOrDie("start-syncer-heartbeat-informer", func(ctx genericapiserver.PostStartHookContext) error {
			go extra.CoverageInformer.RunWithContext(ctx)
			return nil
		})
	}
	apiGroupInfo.VersionedResourcesStorageMap[v1alpha1.SchemeGroupVersion.Version] = storage
	if err := genericServer.InstallAPIGroup(&apiGroupInfo); err != nil {
		return nil, err
	}
	if extra.Join != nil {
		if err := extra.Join.install(genericServer, extra, c.GenericConfig); err != nil {
			return nil, err
		}
	}

	registerViewMetrics(extra.View)
	if err := genericServer.AddReadyzChecks(healthz.NamedCheck("edgenode-cache", func(*http.Request) error {
		if !extra.View.HasSynced() {
			return edgeview.ErrNotSynced
		}
		return nil
	})); err != nil {
		return nil, err
	}
	genericServer.AddPostStartHookOrDie("start-edgewatcher-informers", func(ctx genericapiserver.PostStartHookContext) error {
		go extra.NodeInformer.RunWithContext(ctx)
		synced := []cache.InformerSynced{registration.HasSynced}
		if extra.Join != nil {
			s, err := extra.Join.start(ctx)
			if err != nil {
				return err
			}
			synced = append(synced, s...)
		}
		go func() {
			if cache.WaitForNamedCacheSyncWithContext(ctx, synced...) {
				extra.View.MarkSynced(maxResourceVersion(extra.NodeInformer, extra.Join))
			}
		}()
		return nil
	})
	if extra.APIService != nil {
		genericServer.AddPostStartHookOrDie("register-apiservice", func(ctx genericapiserver.PostStartHookContext) error {
			go extra.APIService.Run(ctx, 5*time.Minute)
			return nil
		})
	}
	klog.InfoS("EdgeWatcher API server configured", "group", kubeedge.GroupName)
	return &Server{GenericAPIServer: genericServer}, nil
}

// Run starts serving until ctx is cancelled.
func (s *Server) Run(ctx context.Context) error {
	return s.GenericAPIServer.PrepareRun().RunWithContext(ctx)
}
