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

package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const (
	edgeNodesPath = "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes"
	consolePath   = "/api/v1alpha1/nodes/join"
	// requestTimeout bounds one request that is not a watch, as kube-apiserver bounds it (--request-timeout);
	// a request that takes longer is a transport error.
	requestTimeout = 60 * time.Second
	// maxBackoff caps how long a client honours a Retry-After before its next request.
	maxBackoff = time.Second
)

// userTLS is the TLS configuration of a user reaching kube-apiserver with a client certificate.
func userTLS(user string) (*tls.Config, error) {
	kp, err := cp.PKI.ClientCA.IssueClient(user)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(kp.CertPEM, kp.KeyPEM)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cp.PKI.ServerCA.CertPEM) {
		return nil, errors.New("no certificate in the kube-apiserver CA")
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// tokenTLS is the TLS configuration of a client that authenticates to kube-apiserver with a bearer token.
func tokenTLS() (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cp.PKI.ServerCA.CertPEM) {
		return nil, errors.New("no certificate in the kube-apiserver CA")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// newClient returns a client with a connection pool of its own, as a separate kubectl, controller or
// console user has; with cfg it speaks HTTP/2 over TLS, like client-go.
func newClient(cfg *tls.Config) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second}
	if cfg != nil {
		tr.TLSClientConfig = cfg.Clone()
		tr.ForceAttemptHTTP2 = true
	}
	return &http.Client{Transport: tr}
}

// do performs req and records its outcome on s: check reads a 2xx body and says whether it is what
// the route promises. Requests cut off because ctx ended are not counted. After a 429 it waits the
// Retry-After (at most maxBackoff), as client-go does. It reports whether the request succeeded.
func (s *routeStats) do(ctx context.Context, c *http.Client, req *http.Request, check func(io.Reader) error) bool {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	start := time.Now()
	resp, err := c.Do(req.WithContext(rctx))
	if err != nil {
		if ctx.Err() == nil {
			s.transportError(err)
		}
		return false
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body := readSnippet(resp.Body)
		if ctx.Err() == nil {
			s.failure(resp.StatusCode, resp.Header, body)
			pause(ctx, retryAfter(resp))
		}
		return false
	}
	body := &errReader{r: resp.Body}
	err = check(body)
	if err == nil {
		_, err = io.Copy(io.Discard, body)
	}
	took := time.Since(start)
	switch {
	case ctx.Err() != nil:
		return false
	case body.err != nil:
		s.transportError(fmt.Errorf("reading the body: %w", body.err))
		return false
	case err != nil:
		s.invalidBody(resp.StatusCode, err)
		return false
	}
	s.success(resp.StatusCode, took)
	return true
}

// retryAfter is the Retry-After delay of a 429, capped at maxBackoff; zero for any other response.
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs <= 0 {
		return maxBackoff
	}
	return min(time.Duration(secs)*time.Second, maxBackoff)
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// mustRequest builds a request; the tests build only well-formed ones.
func mustRequest(method, url string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		panic(err)
	}
	return req
}

// errReader remembers the first error other than io.EOF that reading r returned.
type errReader struct {
	r   io.Reader
	err error
}

// Read implements io.Reader.
func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && e.err == nil {
		e.err = err
	}
	return n, err
}
