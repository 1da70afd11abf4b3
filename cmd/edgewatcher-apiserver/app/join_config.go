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
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/apiserver"
	"github.com/edgewatcher/edgewatcher/pkg/clusterstate"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
	"github.com/edgewatcher/edgewatcher/registry/edgenode"
)

// collectInterval is how often each replica expires and binds reservations.
const collectInterval = time.Second

// joinConfig builds the join flow from the options.
func (o *Options) joinConfig(client kubernetes.Interface, nodes cache.SharedIndexInformer, addresses *ipam.Index) (*apiserver.JoinConfig, error) {
	jo := o.Join
	pools, err := ipam.ParsePools(jo.EdgeIPPools)
	if err != nil {
		return nil, fmt.Errorf("--edge-ip-pool: %w", err)
	}
	svcCIDRs, err := jo.serviceCIDRs()
	if err != nil {
		return nil, err
	}
	mirror, err := jo.mirror()
	if err != nil {
		return nil, err
	}
	klog.InfoS("Console command downloads keadm unless kubeedge/edge-watcher-config names a mirror", "mirror", mirror.Name(), "verified", mirror.Verified())
	state := clusterstate.New(client, nodes.GetStore(), addresses, clusterstate.Options{
		Namespace:            jo.KubeEdgeNamespace,
		CloudCorePodSelector: jo.CloudCorePodSelector,
		ServiceCIDRs:         svcCIDRs,
		WatchServiceCIDRs:    servesServiceCIDRs(client),
		WatchCASecret:        jo.MintTokens,
	})
	tracker := reservation.NewTracker()
	store := &reservation.Store{Leases: client.CoordinationV1(), Namespace: jo.ReservationNamespace, TTL: jo.ReservationTTL}
	service := &join.Service{
		State:        state,
		Addresses:    addresses,
		Reservations: tracker,
		Store:        store,
		Pools:        pools,
		Defaults: join.Defaults{
			KubeEdgeVersion: jo.KubeEdgeVersion,
			CloudCore:       jo.CloudCore,
			RuntimeEndpoint: jo.RuntimeEndpoint,
			CgroupDriver:    jo.CgroupDriver,
			ImageRepository: jo.ImageRepository,
			Mirror:          mirror,
			LegacyRegion:    keadm.Region(jo.LegacyRegion),
		},
		Tokens: join.TokenPolicy{Mint: jo.MintTokens, DefaultTTL: jo.DefaultTokenTTL, MaxTTL: jo.MaxTokenTTL, MinValidity: jo.TokenMinValidity},
	}
	return &apiserver.JoinConfig{
		Service:             service,
		State:               state,
		ReservationInformer: reservation.NewInformer(client, jo.ReservationNamespace),
		Collector: &reservation.Collector{
			Store: store, Tracker: tracker, NodeExists: state.NodeExists, Bind: clusterstate.TaintOnJoin(client),
			Retention: jo.ExpiredReservationRetention, Interval: collectInterval,
		},
		Writes:       edgenode.Writes{Join: service, Reservations: store, Nodes: client.CoreV1()},
		Legacy:       o.Legacy,
		Dependencies: join.NewDependencyMonitor(service.Dependencies, state.Synced),
	}, nil
}

// servesServiceCIDRs reports whether the cluster serves networking.k8s.io/v1 ServiceCIDRs.
func servesServiceCIDRs(client kubernetes.Interface) bool {
	list, err := client.Discovery().ServerResourcesForGroupVersion("networking.k8s.io/v1")
	if err != nil {
		klog.InfoS("Not reading ServiceCIDRs: discovery failed; use --service-cluster-ip-range", "err", err)
		return false
	}
	return slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == "servicecidrs" })
}
