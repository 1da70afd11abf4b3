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
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// ClusterState is the read side of the cluster that the join flow needs, served from caches.
type ClusterState interface {
	// NodeExists reports whether a Node called name is registered.
	NodeExists(name string) bool
	// CloudCoreConfig returns the kubeedge/cloudcore ConfigMap, or nil if it does not exist.
	CloudCoreConfig() *corev1.ConfigMap
	// CloudCoreService returns the kubeedge/cloudcore Service, or nil if it does not exist.
	CloudCoreService() *corev1.Service
	// TokenSecret returns the kubeedge/tokensecret Secret, or nil if it does not exist.
	TokenSecret() *corev1.Secret
	// CASecret returns the kubeedge/casecret Secret, or nil if it does not exist.
	CASecret() *corev1.Secret
	// LegacyConfig returns the optional kubeedge/edge-watcher-config ConfigMap, or nil.
	LegacyConfig() *corev1.ConfigMap
	// ServiceCIDRs returns the cluster's Service CIDRs.
	ServiceCIDRs() []netip.Prefix
	// Synced reports whether every cache has its initial state.
	Synced() bool
}

// Defaults are the server-side settings of generated commands.
type Defaults struct {
	// KubeEdgeVersion is used when a request names none.
	KubeEdgeVersion string
	// CloudCore overrides the resolved cloudcore address and ports.
	CloudCore cloudcore.Overrides
	// RuntimeEndpoint, CgroupDriver and ImageRepository are used when a request names none.
	RuntimeEndpoint string
	// CgroupDriver is cgroupfs or systemd.
	CgroupDriver string
	// ImageRepository is the registry prefix for KubeEdge images.
	ImageRepository string
	// Mirror is where the console command downloads keadm when edge-watcher-config names none; the zero
	// Mirror is KubeEdge's releases.
	Mirror keadm.Mirror
	// LegacyRegion spells $arch in an edge-watcher-config uri that names no region (--legacy-region).
	LegacyRegion keadm.Region
}

// TokenPolicy says where tokens come from.
type TokenPolicy struct {
	// Mint signs tokens with kubeedge/casecret instead of serving kubeedge/tokensecret.
	Mint bool
	// DefaultTTL is a minted token's lifetime when the request names none.
	DefaultTTL time.Duration
	// MaxTTL caps a minted token's lifetime.
	MaxTTL time.Duration
	// MinValidity refuses a stored token that expires sooner than this.
	MinValidity time.Duration
}

// Service runs the join flow.
type Service struct {
	// State is the cached cluster state.
	State ClusterState
	// Addresses indexes every Node, reservation and cloudcore address.
	Addresses *ipam.Index
	// Reservations is the current set of reservations.
	Reservations *reservation.Tracker
	// Store writes reservations.
	Store *reservation.Store
	// Pools are the --edge-ip-pool CIDRs; nil or empty means any usable address.
	Pools *ipam.Pools
	// Defaults are the server-side command settings.
	Defaults Defaults
	// Tokens is the token policy.
	Tokens TokenPolicy
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
