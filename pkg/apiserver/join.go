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

package apiserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/clusterstate"
	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/legacy"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
	"github.com/edgewatcher/edgewatcher/registry/edgenode"
)

// JoinConfig wires the join flow: reservations, cluster state, the subresources and the console route.
type JoinConfig struct {
	// Service is the join flow.
	Service *join.Service
	// State serves cached KubeEdge objects.
	State *clusterstate.State
	// ReservationInformer watches the reservation Leases into Service.Reservations.
	ReservationInformer cache.SharedIndexInformer
	// Collector expires, garbage-collects and binds reservations.
	Collector *reservation.Collector
	// Writes backs create and delete on edgenodes.
	Writes edgenode.Writes
	// Legacy configures the console route's plain-HTTP listener.
	Legacy *legacy.Options
	// LegacyAuthenticator authenticates on that listener (legacy.Options.Authenticator); nil with --legacy-auth=none.
	LegacyAuthenticator authenticator.Request
	// Dependencies watches the KubeEdge objects the join flow needs, for /metrics, /joinz and the logs.
	Dependencies *join.DependencyMonitor
}

// dependencyCheckPeriod bounds how late a change without an event, a token expiring, is logged.
const dependencyCheckPeriod = 10 * time.Second

// addStorage installs the writing verbs and the subresources.
func (j *JoinConfig) addStorage(storage map[string]rest.Storage, view *edgeview.Cache, authz authorizer.Authorizer) {
	writes := j.Writes
	writes.Authorizer = authz
	storage["edgenodes"] = edgenode.NewREST(view, &writes)
	storage["edgenodes/jointoken"] = edgenode.NewJoinTokenREST(view, j.Service)
	storage["edgenodes/joincommand"] = edgenode.NewJoinCommandREST(j.Service)
}

// joiner adapts the join flow to the console route.
func (j *JoinConfig) joiner() legacy.Joiner {
	return legacy.JoinerFunc(func(ctx context.Context, req legacy.Request) (string, error) {
		lr := join.LegacyRequest{NodeName: req.NodeName, NodeIP: req.NodeIP, DefaultTaint: req.DefaultTaint,
			IPOptional: req.IPOptional, Options: join.ConsoleOptions{Version: req.Version, Runtime: req.Runtime,
				ImageRepository: req.ImageRepository}}
		if req.User != nil {
			lr.Requester = req.User.GetName()
		}
		return j.Service.LegacyCommand(ctx, lr)
	})
}

// install adds the console route to the secure port and, when configured, starts its plain-HTTP listener.
func (j *JoinConfig) install(s *genericapiserver.GenericAPIServer, extra *ExtraConfig, generic genericapiserver.CompletedConfig) error {
	legacy.Install(s.Handler.GoRestfulContainer, j.joiner())
	healthz.InstallPathHandler(s.Handler.NonGoRestfulMux, JoinHealthPath, joinChecks(j.Service, j.Dependencies)...)
	registerJoinMetrics(j.Dependencies)
	j.Service.Reservations.Subscribe(extra.View.OnReservation)
	j.Service.Reservations.Subscribe(join.IndexReservations(j.Service.Addresses))
	if j.Legacy == nil || j.Legacy.ListenAddress == "" {
		return nil
	}
	handler := legacy.NewPlainHandler(legacy.NewContainer(j.joiner()), j.Legacy.Auth,
		j.LegacyAuthenticator, generic.Authorization.Authorizer)
	// The route takes two short query values and a bearer token: 64 KiB of headers is plenty.
	srv := &http.Server{Addr: j.Legacy.ListenAddress, Handler: handler, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	s.AddPostStartHookOrDie("legacy-console-listener", func(ctx genericapiserver.PostStartHookContext) error {
		go func() {
			klog.InfoS("Serving the console's legacy join route over plain HTTP", "address", srv.Addr, "auth", j.Legacy.Auth)
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				klog.ErrorS(err, "Legacy console listener failed")
			}
		}()
		go func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdown)
		}()
		return nil
	})
	return nil
}

// start runs the join caches and the collector and returns what must sync before serving.
func (j *JoinConfig) start(ctx context.Context) ([]cache.InformerSynced, error) {
	reg, err := j.ReservationInformer.AddEventHandler(j.Service.Reservations)
	if err != nil {
		return nil, err
	}
	go j.ReservationInformer.RunWithContext(ctx)
	j.State.OnChange(j.Dependencies.Notify)
	if err := j.State.Run(ctx); err != nil {
		return nil, err
	}
	go j.Dependencies.Run(ctx, dependencyCheckPeriod)
	go func() {
		if cache.WaitForNamedCacheSyncWithContext(ctx, reg.HasSynced, j.State.Synced) {
			j.Collector.Run(ctx)
		}
	}()
	return []cache.InformerSynced{reg.HasSynced, j.State.Synced}, nil
}

// maxResourceVersion is the highest list resource version of the view's informers.
func maxResourceVersion(nodes cache.SharedIndexInformer, j *JoinConfig) string {
	rv := nodes.LastSyncResourceVersion()
	if j == nil {
		return rv
	}
	a, _ := strconv.ParseUint(rv, 10, 64)
	b, err := strconv.ParseUint(j.ReservationInformer.LastSyncResourceVersion(), 10, 64)
	if err == nil && b > a {
		return strconv.FormatUint(b, 10)
	}
	return rv
}
