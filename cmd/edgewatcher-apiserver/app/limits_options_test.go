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
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	genericapiserver "k8s.io/apiserver/pkg/server"
)

// parseLimits parses args into fresh default limits.
func parseLimits(t *testing.T, args ...string) *RequestLimitOptions {
	t.Helper()
	o := NewRequestLimitOptions()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return o
}

func TestRequestLimitFlagsValidate(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // substring of the only error; empty means valid
	}{
		{args: nil},
		{args: []string{"--max-request-body-bytes=16384", "--max-request-uri-bytes=4096"}},
		{args: []string{"--max-request-body-bytes=3145728", "--max-request-uri-bytes=1048576"}},
		{args: []string{"--max-request-body-bytes=16383"}, want: "--max-request-body-bytes 16383: must be from 16384 to 3145728"},
		{args: []string{"--max-request-body-bytes=3145729"}, want: "--max-request-body-bytes 3145729: must be from 16384 to 3145728"},
		// 0 would mean "no limit" to the generic server.
		{args: []string{"--max-request-body-bytes=0"}, want: "--max-request-body-bytes 0: must be from"},
		{args: []string{"--max-request-body-bytes=-1"}, want: "--max-request-body-bytes -1: must be from"},
		{args: []string{"--max-request-uri-bytes=4095"}, want: "--max-request-uri-bytes 4095: must be from 4096 to 1048576"},
		{args: []string{"--max-request-uri-bytes=1048577"}, want: "--max-request-uri-bytes 1048577: must be from 4096 to 1048576"},
		{args: []string{"--max-request-uri-bytes=0"}, want: "--max-request-uri-bytes 0: must be from"},
	} {
		errs := parseLimits(t, tc.args...).Validate()
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%v: unexpected errors %v", tc.args, errs)
		case tc.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want)):
			t.Errorf("%v: errors %v, want one containing %q", tc.args, errs, tc.want)
		}
	}
}

func TestRequestLimitDefaultsAndParsing(t *testing.T) {
	if o := parseLimits(t); o.MaxRequestBodyBytes != 256<<10 || o.MaxRequestURIBytes != 64<<10 {
		t.Errorf("defaults = %+v, want 262144 and 65536", o)
	}
	if o := parseLimits(t, "--max-request-body-bytes=1048576", "--max-request-uri-bytes=8192"); o.MaxRequestBodyBytes != 1<<20 || o.MaxRequestURIBytes != 8192 {
		t.Errorf("parsed = %+v", o)
	}
	// The server's options register the flags and validate them.
	o := NewOptions()
	fss := o.Flags()
	if err := fss.FlagSet("request limits").Parse([]string{"--max-request-uri-bytes=10"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--max-request-uri-bytes 10: must be from") {
		t.Errorf("Options.Validate() = %v", err)
	}
}

func TestRequestLimitApplyTo(t *testing.T) {
	c := &genericapiserver.Config{MaxRequestBodyBytes: 3 << 20}
	var chained bool
	c.BuildHandlerChainFunc = func(h http.Handler, _ *genericapiserver.Config) http.Handler {
		chained = true
		return h
	}
	o := &RequestLimitOptions{MaxRequestBodyBytes: 64 << 10, MaxRequestURIBytes: 4096}
	o.ApplyTo(c)
	if c.MaxRequestBodyBytes != 64<<10 {
		t.Errorf("MaxRequestBodyBytes = %d, want 65536", c.MaxRequestBodyBytes)
	}
	h := c.BuildHandlerChainFunc(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }), c)
	if !chained {
		t.Error("the previous handler chain was not built")
	}
	for uri, want := range map[string]int{
		"/apis?q=" + strings.Repeat("a", 4096-8): http.StatusNoContent,
		"/apis?q=" + strings.Repeat("a", 4096-7): http.StatusRequestURITooLong,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, uri, nil))
		if rec.Code != want {
			t.Errorf("URI of %d bytes: %d, want %d", len(uri), rec.Code, want)
		}
	}
}
