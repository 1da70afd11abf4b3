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

// Package app holds the options and command of edgewatcher-apiserver.
package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/client-go/kubernetes"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/edgewatcher/edgewatcher/pkg/edgeview"
	"github.com/edgewatcher/edgewatcher/pkg/legacy"
)

// Options are the flags of edgewatcher-apiserver. The server keeps no state of its own:
// it has no etcd and reads everything it serves from kube-apiserver.
type Options struct {
	SecureServing  *genericoptions.SecureServingOptionsWithLoopback
	Authentication *genericoptions.DelegatingAuthenticationOptions
	Authorization  *genericoptions.DelegatingAuthorizationOptions
	Audit          *genericoptions.AuditOptions
	Features       *genericoptions.FeatureOptions
	Logging        *logsapi.LoggingConfiguration

	// Kubeconfig is the kubeconfig for reading the cluster; empty means in-cluster.
	Kubeconfig string
	// KubeAPIQPS and KubeAPIBurst limit this server's requests to kube-apiserver.
	KubeAPIQPS float32
	// KubeAPIBurst is the burst of KubeAPIQPS.
	KubeAPIBurst int
	// Service describes how the cluster reaches this server.
	Service ServiceOptions
	// WatchHistory says which edge node changes are kept for resuming watches and paging lists.
	WatchHistory edgeview.HistoryOptions
	// Join configures reservations, IP rules, tokens and commands.
	Join *JoinOptions
	// Legacy configures the console route's plain-HTTP listener.
	Legacy *legacy.Options
	// Limits bounds the size of requests to the secure port.
	Limits *RequestLimitOptions
}

// ServiceOptions name the Service in front of this server and the APIService that points at it.
type ServiceOptions struct {
	Namespace string
	Name      string
	Port      int32
	// RegisterAPIService makes the server create or update its own APIService.
	RegisterAPIService bool
	// CABundleFile verifies the serving certificate; empty means the serving certificate itself.
	CABundleFile string
	// ServingCertSecret shares the self-signed serving certificate between replicas through a Secret.
	ServingCertSecret string
}

// NewOptions returns the default options.
func NewOptions() *Options {
	o := &Options{
		SecureServing:  genericoptions.NewSecureServingOptions().WithLoopback(),
		Authentication: genericoptions.NewDelegatingAuthenticationOptions(),
		Authorization:  genericoptions.NewDelegatingAuthorizationOptions(),
		Audit:          genericoptions.NewAuditOptions(),
		Features:       genericoptions.NewFeatureOptions(),
		Logging:        logsapi.NewLoggingConfiguration(),
		WatchHistory:   edgeview.DefaultHistoryOptions(),
		KubeAPIQPS:     50,
		KubeAPIBurst:   100,
		Join:           NewJoinOptions(),
		Legacy:         legacy.NewOptions(),
		Limits:         NewRequestLimitOptions(),
		Service: ServiceOptions{
			Namespace: "kubeedge",
			Name:      "edge-watcher",
			Port:      443,
		},
	}
	o.SecureServing.BindPort = 8443
	o.SecureServing.ServerCert.CertDirectory = "apiserver.local.config/certificates"
	o.SecureServing.ServerCert.PairName = "apiserver"
	// Priority and fairness needs watches on flowcontrol objects; kube-apiserver already applies it.
	o.Features.EnablePriorityAndFairness = false
	return o
}

// Flags returns the flags grouped in named sections.
func (o *Options) Flags() cliflag.NamedFlagSets {
	var fss cliflag.NamedFlagSets
	o.SecureServing.AddFlags(fss.FlagSet("secure serving"))
	o.Limits.AddFlags(fss.FlagSet("request limits"))
	o.Authentication.AddFlags(fss.FlagSet("authentication"))
	o.Authorization.AddFlags(fss.FlagSet("authorization"))
	o.Audit.AddFlags(fss.FlagSet("auditing"))
	o.Features.AddFlags(fss.FlagSet("features"))
	logsapi.AddFlags(o.Logging, fss.FlagSet("logging"))

	fs := fss.FlagSet("edgewatcher")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "Kubeconfig for reading Nodes and KubeEdge configuration. Empty means in-cluster.")
	fs.Float32Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS, "Requests per second to kube-apiserver; each reservation costs two to four.")
	fs.IntVar(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst, "Burst of --kube-api-qps.")
	fs.IntVar(&o.WatchHistory.MinChanges, "watch-history-size", o.WatchHistory.MinChanges,
		"How many of the latest edge node changes to keep, however old, so that watches and list pages can resume from a resourceVersion.")
	fs.DurationVar(&o.WatchHistory.Window, "watch-history-window", o.WatchHistory.Window,
		"Also keep every change younger than this, up to --watch-history-max-size (kube-apiserver keeps 75s). 0 keeps exactly --watch-history-size.")
	fs.IntVar(&o.WatchHistory.MaxChanges, "watch-history-max-size", o.WatchHistory.MaxChanges,
		"The most changes --watch-history-window may keep; each keeps the replaced edge node object alive.")

	o.Service.AddFlags(fss.FlagSet("apiservice"))
	o.Join.AddFlags(fss.FlagSet("join"))
	o.Legacy.AddFlags(fss.FlagSet("console"))
	return fss
}

// AddFlags adds the Service and APIService flags to fs.
func (s *ServiceOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.Namespace, "service-namespace", s.Namespace, "Namespace of the Service in front of this server.")
	fs.StringVar(&s.Name, "service-name", s.Name, "Name of the Service in front of this server. The self-signed serving certificate covers <name>.<namespace>.svc.")
	fs.Int32Var(&s.Port, "service-port", s.Port, "Port of the Service in front of this server, used in the APIService.")
	fs.BoolVar(&s.RegisterAPIService, "register-apiservice", s.RegisterAPIService, "Create or update the APIService v1alpha1.kubeedge.kubesphere.io with the CA bundle of the serving certificate.")
	fs.StringVar(&s.CABundleFile, "apiservice-ca-file", s.CABundleFile, "PEM bundle that verifies the serving certificate, written to the APIService. Defaults to the serving certificate itself.")
	fs.StringVar(&s.ServingCertSecret, "serving-cert-secret", s.ServingCertSecret, "Secret in --service-namespace through which replicas share one self-signed serving certificate, so the APIService caBundle verifies all of them. Empty: each process generates its own (one replica only).")
}

// serviceDNSNames are the names kube-aggregator and in-cluster clients use for this server.
func (s *ServiceOptions) serviceDNSNames() []string {
	base := s.Name + "." + s.Namespace
	return []string{base + ".svc", base, s.Name, base + ".svc.cluster.local"}
}

// prepareServingCert loads the shared self-signed pair from --serving-cert-secret, or generates a self-signed
// pair when no certificate is given, and publishes a pair it generated for the other replicas. It runs after
// Validate.
func (o *Options) prepareServingCert() error {
	shared, stale, fetched, err := o.fetchSharedCert()
	if err != nil {
		return err
	}
	if err := dropStaleSelfSignedCert(&o.SecureServing.ServerCert, o.Service.serviceDNSNames()[0]); err != nil {
		return err
	}
	dns := o.Service.serviceDNSNames()
	if hostname, _ := os.Hostname(); hostname != "" && shared == nil {
		// A shared certificate must not name one replica's host.
		dns = append(dns, hostname)
	}
	if err := o.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", dns, []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback}); err != nil {
		return fmt.Errorf("creating self-signed certificates: %w", err)
	}
	if shared != nil && !fetched {
		ctx, cancel := context.WithTimeout(context.Background(), sharedCertTimeout)
		defer cancel()
		return shared.publish(ctx, stale)
	}
	return nil
}

// fetchSharedCert loads the shared self-signed pair into the cert directory when
// --serving-cert-secret is set and no certificate file is given.
func (o *Options) fetchSharedCert() (shared *sharedCert, stale *corev1.Secret, fetched bool, err error) {
	cert := &o.SecureServing.ServerCert
	if o.Service.ServingCertSecret == "" || cert.CertKey.CertFile != "" || cert.CertDirectory == "" {
		return nil, nil, false, nil
	}
	restConfig, err := o.restConfig()
	if err != nil {
		return nil, nil, false, err
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return nil, nil, false, err
	}
	shared = &sharedCert{
		client: client, namespace: o.Service.Namespace, name: o.Service.ServingCertSecret,
		certFile:   filepath.Join(cert.CertDirectory, cert.PairName+".crt"),
		keyFile:    filepath.Join(cert.CertDirectory, cert.PairName+".key"),
		serviceDNS: o.Service.serviceDNSNames()[0],
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedCertTimeout)
	defer cancel()
	stale, fetched, err = shared.fetch(ctx)
	return shared, stale, fetched, err
}

// Validate checks the options and returns every problem found.
func (o *Options) Validate() error {
	var errs []error
	errs = append(errs, o.SecureServing.Validate()...)
	errs = append(errs, o.Authentication.Validate()...)
	errs = append(errs, o.Authorization.Validate()...)
	errs = append(errs, o.Audit.Validate()...)
	errs = append(errs, o.Features.Validate()...)
	errs = append(errs, o.Service.Validate())
	errs = append(errs, o.Join.Validate()...)
	errs = append(errs, o.Legacy.Validate()...)
	errs = append(errs, o.Limits.Validate()...)
	if o.KubeAPIQPS <= 0 || o.KubeAPIBurst < 1 {
		errs = append(errs, fmt.Errorf("--kube-api-qps %v and --kube-api-burst %d: must be positive", o.KubeAPIQPS, o.KubeAPIBurst))
	}
	if h := o.WatchHistory; h.MinChanges < 1 {
		errs = append(errs, fmt.Errorf("--watch-history-size %d: must be at least 1", h.MinChanges))
	} else if h.MaxChanges < h.MinChanges {
		errs = append(errs, fmt.Errorf("--watch-history-max-size %d: must be at least --watch-history-size %d", h.MaxChanges, h.MinChanges))
	}
	if o.WatchHistory.Window < 0 {
		errs = append(errs, fmt.Errorf("--watch-history-window %v: must not be negative", o.WatchHistory.Window))
	}
	return utilerrors.NewAggregate(errs)
}

// Validate checks the Service and APIService options.
func (s *ServiceOptions) Validate() error {
	var errs []error
	if msgs := validation.IsDNS1123Label(s.Namespace); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--service-namespace %q: %s", s.Namespace, strings.Join(msgs, "; ")))
	}
	if msgs := validation.IsDNS1035Label(s.Name); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--service-name %q: %s", s.Name, strings.Join(msgs, "; ")))
	}
	if msgs := validation.IsValidPortNum(int(s.Port)); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--service-port %d: %s", s.Port, strings.Join(msgs, "; ")))
	}
	return utilerrors.NewAggregate(errs)
}
