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
	"net/http"

	"github.com/spf13/pflag"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/edgewatcher/edgewatcher/pkg/apiserver"
)

// Request size limits of the secure port. An EdgeNode, JoinCommand or JoinToken request is a few KiB even with
// many labels and taints, and a list's label selector rarely passes 1 KiB: the defaults leave ample headroom.
const (
	// DefaultMaxRequestBodyBytes bounds the body of a create or delete.
	DefaultMaxRequestBodyBytes = 256 << 10
	// DefaultMaxRequestURIBytes bounds a request's path and query.
	DefaultMaxRequestURIBytes = 64 << 10

	// minRequestBodyBytes keeps a mistyped value from refusing legitimate EdgeNodes with many labels.
	minRequestBodyBytes = 16 << 10
	// maxRequestBodyBytes is kube-apiserver's own default; nothing this server accepts comes near it.
	maxRequestBodyBytes = 3 << 20
	// minRequestURIBytes keeps a mistyped value from refusing lists with a label selector.
	minRequestURIBytes = 4 << 10
	// maxRequestURIBytes is the secure port's header limit: it answers 431 to anything longer first.
	maxRequestURIBytes = 1 << 20
)

// RequestLimitOptions are the size limits of requests to the secure port.
type RequestLimitOptions struct {
	// MaxRequestBodyBytes is the largest body of a write request; a longer one is refused with 413.
	MaxRequestBodyBytes int64
	// MaxRequestURIBytes is the longest path plus query; a longer one is refused with 414.
	MaxRequestURIBytes int
}

// NewRequestLimitOptions returns the default limits.
func NewRequestLimitOptions() *RequestLimitOptions {
	return &RequestLimitOptions{MaxRequestBodyBytes: DefaultMaxRequestBodyBytes, MaxRequestURIBytes: DefaultMaxRequestURIBytes}
}

// AddFlags adds --max-request-body-bytes and --max-request-uri-bytes to fs.
func (o *RequestLimitOptions) AddFlags(fs *pflag.FlagSet) {
	fs.Int64Var(&o.MaxRequestBodyBytes, "max-request-body-bytes", o.MaxRequestBodyBytes, fmt.Sprintf(
		"Largest request body the secure port decodes, in bytes (%d to %d); a longer one is refused with 413.",
		minRequestBodyBytes, maxRequestBodyBytes))
	fs.IntVar(&o.MaxRequestURIBytes, "max-request-uri-bytes", o.MaxRequestURIBytes, fmt.Sprintf(
		"Longest request path plus query string on the secure port, in bytes (%d to %d); a longer one is refused "+
			"with 414. The console's plain-HTTP listener caps its request line and headers at 64 KiB (431).",
		minRequestURIBytes, maxRequestURIBytes))
}

// Validate checks the limits and returns every problem found.
func (o *RequestLimitOptions) Validate() []error {
	var errs []error
	if o.MaxRequestBodyBytes < minRequestBodyBytes || o.MaxRequestBodyBytes > maxRequestBodyBytes {
		errs = append(errs, fmt.Errorf("--max-request-body-bytes %d: must be from %d to %d",
			o.MaxRequestBodyBytes, minRequestBodyBytes, maxRequestBodyBytes))
	}
	if o.MaxRequestURIBytes < minRequestURIBytes || o.MaxRequestURIBytes > maxRequestURIBytes {
		errs = append(errs, fmt.Errorf("--max-request-uri-bytes %d: must be from %d to %d",
			o.MaxRequestURIBytes, minRequestURIBytes, maxRequestURIBytes))
	}
	return errs
}

// ApplyTo sets the body limit of c's write handlers and puts the URI limit in front of its handler chain.
func (o *RequestLimitOptions) ApplyTo(c *genericapiserver.Config) {
	c.MaxRequestBodyBytes = o.MaxRequestBodyBytes
	build, limit := c.BuildHandlerChainFunc, o.MaxRequestURIBytes
	c.BuildHandlerChainFunc = func(h http.Handler, c *genericapiserver.Config) http.Handler {
		return apiserver.WithRequestURILimit(build(h, c), limit)
	}
}
