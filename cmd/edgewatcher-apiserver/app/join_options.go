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
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/ipam"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// JoinOptions are the flags of the join flow: reservations, IP rules, tokens and commands.
type JoinOptions struct {
	KubeEdgeNamespace           string
	ReservationNamespace        string
	ReservationTTL              time.Duration
	ExpiredReservationRetention time.Duration
	EdgeIPPools                 []string
	ServiceClusterIPRanges      []string
	CloudCorePodSelector        string
	KubeEdgeVersion             string
	CloudCore                   cloudcore.Overrides
	RuntimeEndpoint             string
	CgroupDriver                string
	ImageRepository             string
	KeadmMirror                 string
	KeadmMirrorChecksum         string
	KeadmMirrorBinary           string
	LegacyRegion                string
	MintTokens                  bool
	DefaultTokenTTL             time.Duration
	MaxTokenTTL                 time.Duration
	TokenMinValidity            time.Duration
}

// NewJoinOptions returns the defaults.
func NewJoinOptions() *JoinOptions {
	return &JoinOptions{
		KubeEdgeNamespace:           "kubeedge",
		ReservationNamespace:        "kubeedge",
		ReservationTTL:              reservation.DefaultTTL,
		ExpiredReservationRetention: time.Hour,
		CloudCorePodSelector:        "kubeedge=cloudcore",
		KubeEdgeVersion:             join.DefaultKubeEdgeVersion,
		KeadmMirror:                 keadm.MirrorKubeEdge,
		DefaultTokenTTL:             time.Hour,
		MaxTokenTTL:                 24 * time.Hour,
		TokenMinValidity:            10 * time.Minute,
	}
}

// AddFlags adds the join flags to fs.
func (o *JoinOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.KubeEdgeNamespace, "kubeedge-namespace", o.KubeEdgeNamespace, "Namespace of cloudcore and its ConfigMap, Service and Secrets.")
	fs.StringVar(&o.ReservationNamespace, "reservation-namespace", o.ReservationNamespace, "Namespace of the Leases that hold edge node reservations.")
	fs.DurationVar(&o.ReservationTTL, "reservation-ttl", o.ReservationTTL, "How long a reservation holds its name and IP before it expires.")
	fs.DurationVar(&o.ExpiredReservationRetention, "expired-reservation-retention", o.ExpiredReservationRetention, "How long an Expired reservation stays visible before it is deleted.")
	fs.StringSliceVar(&o.EdgeIPPools, "edge-ip-pool", o.EdgeIPPools, "CIDRs edge node IPs must come from; with a pool, an empty spec.internalIP allocates the lowest free address. Repeatable.")
	fs.StringSliceVar(&o.ServiceClusterIPRanges, "service-cluster-ip-range", o.ServiceClusterIPRanges, "The cluster's Service CIDRs, refused as edge node IPs. The ServiceCIDR API is read as well where it is served.")
	fs.StringVar(&o.CloudCorePodSelector, "cloudcore-pod-selector", o.CloudCorePodSelector, "Label selector of the cloudcore pods, whose IPs are refused as edge node IPs.")
	fs.StringVar(&o.KubeEdgeVersion, "kubeedge-version", o.KubeEdgeVersion, "KubeEdge release of generated commands when a request names none.")
	fs.StringVar(&o.CloudCore.Host, "cloudcore-address", o.CloudCore.Host, "Address edges dial, overriding cloudcore's advertiseAddress[0].")
	fs.Int32Var(&o.CloudCore.WebSocketPort, "cloudcore-websocket-port", 0, "Overrides the websocket port edges dial.")
	fs.Int32Var(&o.CloudCore.QUICPort, "cloudcore-quic-port", 0, "Overrides the QUIC port edges dial.")
	fs.Int32Var(&o.CloudCore.HTTPSPort, "cloudcore-https-port", 0, "Overrides the certificate port edges dial.")
	fs.Int32Var(&o.CloudCore.TunnelPort, "cloudcore-tunnel-port", 0, "Overrides the tunnel port edges dial.")
	fs.StringVar(&o.RuntimeEndpoint, "runtime-endpoint", o.RuntimeEndpoint, "Default CRI endpoint of generated commands, such as unix:///run/containerd/containerd.sock.")
	fs.StringVar(&o.CgroupDriver, "cgroup-driver", o.CgroupDriver, "Default cgroup driver of generated commands: cgroupfs or systemd.")
	fs.StringVar(&o.ImageRepository, "image-repository", o.ImageRepository, "Default image repository of generated commands (KubeEdge v1.11 and later).")
	fs.StringVar(&o.KeadmMirror, "keadm-mirror", o.KeadmMirror, "Where the console command downloads keadm (kubeedge/edge-watcher-config keys mirror, mirrorChecksum and mirrorBinary override the three --keadm-mirror flags): "+
		"kubeedge (KubeEdge's GitHub release assets), kubesphere-zh, kubesphere-en, or an http(s) URL template of the tarball with {version} and {arch} "+
		"(amd64, arm64 or arm), such as https://mirror.example.com/kubeedge/{version}/keadm-{version}-linux-{arch}.tar.gz.")
	fs.StringVar(&o.KeadmMirrorChecksum, "keadm-mirror-checksum", o.KeadmMirrorChecksum, "https URL template, with {version} and {arch}, of the file holding the sha512 of the --keadm-mirror tarball; "+
		"the command stops before keadm runs when it does not match. Empty: the named mirror's own, or checksum_<tarball file name>.txt next to a template's tarball, as KubeEdge publishes it. "+
		"\"none\" downloads keadm unverified, which kubesphere-zh and kubesphere-en require, since they publish no checksums.")
	fs.StringVar(&o.KeadmMirrorBinary, "keadm-mirror-binary", o.KeadmMirrorBinary, "Path of keadm inside the --keadm-mirror tarball, with {version} and {arch}. "+
		"Empty: the named mirror's own, or KubeEdge's layout keadm-{version}-linux-{arch}/keadm/keadm for a template.")
	fs.StringVar(&o.LegacyRegion, "legacy-region", o.LegacyRegion, "zh or en: the KubeSphere mirror of the console command, unverified, when kubeedge/edge-watcher-config names none.")
	_ = fs.MarkDeprecated("legacy-region", "use --keadm-mirror=kubesphere-zh (or kubesphere-en) --keadm-mirror-checksum=none")
	fs.BoolVar(&o.MintTokens, "mint-tokens", o.MintTokens, "Mint short-lived join tokens with kubeedge/casecret instead of serving kubeedge/tokensecret.")
	fs.DurationVar(&o.DefaultTokenTTL, "default-token-ttl", o.DefaultTokenTTL, "Lifetime of a minted token when the request names none.")
	fs.DurationVar(&o.MaxTokenTTL, "max-token-ttl", o.MaxTokenTTL, "Upper bound of a minted token's lifetime.")
	fs.DurationVar(&o.TokenMinValidity, "token-min-validity", o.TokenMinValidity, "Refuse a kubeedge/tokensecret token that expires sooner than this.")
}

// Validate checks the join flags.
func (o *JoinOptions) Validate() []error {
	var errs []error
	for flag, ns := range map[string]string{"--kubeedge-namespace": o.KubeEdgeNamespace, "--reservation-namespace": o.ReservationNamespace} {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, fmt.Errorf("%s %q: %s", flag, ns, msg))
		}
	}
	if o.ReservationTTL < time.Second || o.ReservationTTL > 365*24*time.Hour {
		errs = append(errs, fmt.Errorf("--reservation-ttl %s: must be between 1s and 365 days", o.ReservationTTL))
	}
	if o.ExpiredReservationRetention < 0 {
		errs = append(errs, fmt.Errorf("--expired-reservation-retention %s: must not be negative", o.ExpiredReservationRetention))
	}
	if _, err := ipam.ParsePools(o.EdgeIPPools); err != nil {
		errs = append(errs, fmt.Errorf("--edge-ip-pool: %w", err))
	}
	if _, err := o.serviceCIDRs(); err != nil {
		errs = append(errs, err)
	}
	if _, err := labels.Parse(o.CloudCorePodSelector); err != nil {
		errs = append(errs, fmt.Errorf("--cloudcore-pod-selector: %w", err))
	}
	if _, err := keadm.ParseVersion(o.KubeEdgeVersion); err != nil {
		errs = append(errs, fmt.Errorf("--kubeedge-version: %w", err))
	}
	if _, err := o.mirror(); err != nil {
		errs = append(errs, err)
	}
	if o.CgroupDriver != "" && o.CgroupDriver != keadm.CgroupDriverCgroupfs && o.CgroupDriver != keadm.CgroupDriverSystemd {
		errs = append(errs, fmt.Errorf("--cgroup-driver %q: must be cgroupfs or systemd", o.CgroupDriver))
	}
	if o.DefaultTokenTTL < time.Minute || o.MaxTokenTTL < o.DefaultTokenTTL {
		errs = append(errs, fmt.Errorf("--default-token-ttl %s and --max-token-ttl %s: need 1m <= default <= max", o.DefaultTokenTTL, o.MaxTokenTTL))
	}
	// The static defaults are validated by building a command with them.
	if _, err := keadm.Build(keadm.Input{Version: o.KubeEdgeVersion, CloudCore: keadm.CloudCore{Host: "192.0.2.1"},
		Token: "0000000000000000000000000000000000000000000000000000000000000000.e30.e30.c2ln", NodeName: "flag-check",
		RuntimeEndpoint: o.RuntimeEndpoint, CgroupDriver: o.CgroupDriver, ImageRepository: o.ImageRepository}); err != nil {
		errs = append(errs, fmt.Errorf("command defaults: %w", err))
	}
	return errs
}

// keadmMirrorFlags names the flag of each keadm.MirrorSpec field, as ParseMirror's FieldErrors name them.
var keadmMirrorFlags = map[string]string{"mirror": "--keadm-mirror", "checksum": "--keadm-mirror-checksum", "binary": "--keadm-mirror-binary"}

// mirror returns the console command's download mirror that the flags name.
func (o *JoinOptions) mirror() (keadm.Mirror, error) {
	if o.LegacyRegion != "" {
		if o.KeadmMirror != keadm.MirrorKubeEdge || o.KeadmMirrorChecksum != "" || o.KeadmMirrorBinary != "" {
			return keadm.Mirror{}, errors.New("--legacy-region cannot be combined with --keadm-mirror, --keadm-mirror-checksum or --keadm-mirror-binary")
		}
		m, err := keadm.RegionMirror(keadm.Region(o.LegacyRegion))
		if err != nil {
			return keadm.Mirror{}, fmt.Errorf("--legacy-region: %w", err)
		}
		return m, nil
	}
	m, err := keadm.ParseMirror(keadm.MirrorSpec{Mirror: o.KeadmMirror, Checksum: o.KeadmMirrorChecksum, Binary: o.KeadmMirrorBinary})
	if err != nil {
		var fe *keadm.FieldError
		if errors.As(err, &fe) {
			return keadm.Mirror{}, fmt.Errorf("%s: %w", keadmMirrorFlags[fe.Field], fe.Err)
		}
		return keadm.Mirror{}, fmt.Errorf("--keadm-mirror: %w", err)
	}
	return m, nil
}

func (o *JoinOptions) serviceCIDRs() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range o.ServiceClusterIPRanges {
		p, err := ipam.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("--service-cluster-ip-range: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}
