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
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// webhookConfig writes a kubeconfig-format webhook config file whose server is server.
func webhookConfig(t *testing.T, server string) string {
	t.Helper()
	return writeFile(t, "webhook.kubeconfig", `apiVersion: v1
kind: Config
clusters:
- name: kubesphere
  cluster:
    server: `+server+`
users:
- name: edgewatcher
contexts:
- name: webhook
  context:
    cluster: kubesphere
    user: edgewatcher
current-context: webhook
`)
}

// writeFile writes content to a new file in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOptionsFlags(t *testing.T) {
	config := webhookConfig(t, "http://127.0.0.1:1/oauth/authenticate")
	defaults := *NewOptions()
	with := func(f func(o *Options)) Options {
		o := defaults
		f(&o)
		return o
	}
	tests := []struct {
		name     string
		args     []string
		want     Options
		parseErr bool
	}{
		{"defaults", nil, defaults, false},
		{"listener", []string{"--legacy-listen-address=:8081"}, with(func(o *Options) { o.ListenAddress = ":8081" }), false},
		{"none", []string{"--legacy-auth=none"}, with(func(o *Options) { o.Auth = AuthNone }), false},
		{"delegated", []string{"--legacy-auth", "delegated"}, defaults, false},
		{"webhook", []string{"--legacy-auth=webhook", "--legacy-token-webhook-config-file=" + config,
			"--legacy-token-webhook-version=v1beta1", "--legacy-token-webhook-cache-ttl=1m"},
			with(func(o *Options) {
				o.Auth, o.TokenWebhookConfigFile, o.TokenWebhookVersion, o.TokenWebhookCacheTTL = AuthWebhook, config, "v1beta1", time.Minute
			}), false},
		{"proxy headers", []string{"--legacy-auth=proxy-headers", "--legacy-trusted-proxy-cidrs=10.233.64.0/18,fd00::/8",
			"--legacy-trusted-proxy-cidrs=192.0.2.7/32"},
			with(func(o *Options) {
				o.Auth, o.TrustedProxyCIDRs = AuthProxyHeaders, []string{"10.233.64.0/18", "fd00::/8", "192.0.2.7/32"}
			}), false},
		{"unknown mode", []string{"--legacy-auth=anonymous"}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o.AddFlags(fs)
			err := fs.Parse(tt.args)
			if gotErr := err != nil; gotErr != tt.parseErr {
				t.Fatalf("Parse error = %v, want error %v", err, tt.parseErr)
			}
			if tt.parseErr {
				return
			}
			if !reflect.DeepEqual(*o, tt.want) {
				t.Errorf("options = %+v, want %+v", *o, tt.want)
			}
			if errs := o.Validate(); len(errs) != 0 {
				t.Errorf("Validate() = %v", errs)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	good := webhookConfig(t, "https://ks-apiserver.kubesphere-system.svc/oauth/authenticate")
	noServer := writeFile(t, "no-server", "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {}\ncontexts:\n- name: a\n  context: {cluster: a}\ncurrent-context: a\n")
	garbage := writeFile(t, "garbage", "{not: [yaml")
	unreadable := filepath.Join(t.TempDir(), "missing.kubeconfig")
	opts := func(mode AuthMode, f func(o *Options)) *Options {
		o := NewOptions()
		o.Auth = mode
		if f != nil {
			f(o)
		}
		return o
	}
	tests := []struct {
		name     string
		opts     *Options
		wantErrs []string // substrings, one per expected error
	}{
		{"nil", nil, nil},
		{"off", &Options{Auth: AuthDelegated, TokenWebhookVersion: "v1"}, nil},
		{"port only", &Options{ListenAddress: ":8081", Auth: AuthNone, TokenWebhookVersion: "v1"}, nil},
		{"ip and port", opts(AuthDelegated, func(o *Options) { o.ListenAddress = "0.0.0.0:8081" }), nil},
		{"ipv6", opts(AuthDelegated, func(o *Options) { o.ListenAddress = "[::]:8081" }), nil},
		{"ephemeral port", opts(AuthDelegated, func(o *Options) { o.ListenAddress = "127.0.0.1:0" }), nil},
		{"no port", opts(AuthDelegated, func(o *Options) { o.ListenAddress = "0.0.0.0" }), []string{"--legacy-listen-address"}},
		{"named port", opts(AuthDelegated, func(o *Options) { o.ListenAddress = ":http" }), []string{"--legacy-listen-address"}},
		{"port too big", opts(AuthDelegated, func(o *Options) { o.ListenAddress = ":65536" }), []string{"--legacy-listen-address"}},
		{"empty mode", opts("", nil), []string{"--legacy-auth"}},
		{"both bad", opts("open", func(o *Options) { o.ListenAddress = "x" }), []string{"--legacy-auth", "--legacy-listen-address"}},

		{"webhook", opts(AuthWebhook, func(o *Options) { o.TokenWebhookConfigFile = good }), nil},
		{"webhook without config file", opts(AuthWebhook, nil), []string{"--legacy-auth=webhook needs --legacy-token-webhook-config-file"}},
		{"webhook, unreadable config file", opts(AuthWebhook, func(o *Options) { o.TokenWebhookConfigFile = unreadable }),
			[]string{"--legacy-token-webhook-config-file: loading " + unreadable}},
		{"webhook, invalid config file", opts(AuthWebhook, func(o *Options) { o.TokenWebhookConfigFile = garbage }),
			[]string{"--legacy-token-webhook-config-file: loading " + garbage}},
		{"webhook, config file without server", opts(AuthWebhook, func(o *Options) { o.TokenWebhookConfigFile = noServer }),
			[]string{"--legacy-token-webhook-config-file: loading " + noServer}},
		{"webhook, bad version", opts(AuthWebhook, func(o *Options) { o.TokenWebhookConfigFile, o.TokenWebhookVersion = good, "v2" }),
			[]string{"--legacy-token-webhook-version"}},
		{"webhook, negative ttl", opts(AuthWebhook, func(o *Options) { o.TokenWebhookConfigFile, o.TokenWebhookCacheTTL = good, -time.Second }),
			[]string{"--legacy-token-webhook-cache-ttl"}},
		{"webhook config file with another mode", opts(AuthDelegated, func(o *Options) { o.TokenWebhookConfigFile = good }),
			[]string{"only used with --legacy-auth=webhook"}},

		{"proxy headers", opts(AuthProxyHeaders, func(o *Options) { o.TrustedProxyCIDRs = []string{"10.233.64.0/18"} }), nil},
		{"proxy headers without networks", opts(AuthProxyHeaders, nil), []string{"--legacy-auth=proxy-headers needs --legacy-trusted-proxy-cidrs"}},
		{"proxy headers, bad network", opts(AuthProxyHeaders, func(o *Options) { o.TrustedProxyCIDRs = []string{"10.233.64.1"} }),
			[]string{"--legacy-trusted-proxy-cidrs: \"10.233.64.1\" is not a CIDR"}},
		{"networks with another mode", opts(AuthWebhook, func(o *Options) {
			o.TokenWebhookConfigFile, o.TrustedProxyCIDRs = good, []string{"10.233.64.0/18"}
		}), []string{"only used with --legacy-auth=proxy-headers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.opts.Validate()
			if len(errs) != len(tt.wantErrs) {
				t.Fatalf("Validate() = %v, want %d errors", errs, len(tt.wantErrs))
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], want)
				}
			}
		})
	}
}
