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

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// outcome is how one HTTP request ended.
type outcome struct {
	start, end time.Time
	// code is the HTTP status, 0 when no response arrived.
	code int
	body []byte
	// err is the transport error when no response arrived.
	err error
}

// do sends one request (a nil body sends none) and records how it ended. It never retries.
func do(c *http.Client, method, url string, body []byte) outcome {
	o := outcome{start: time.Now()}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		o.err, o.end = err, time.Now()
		return o
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err == nil {
		o.code = resp.StatusCode
		o.body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			o.code = 0 // a truncated answer is no answer
		}
	}
	o.err, o.end = err, time.Now()
	return o
}

// ok reports a 2xx answer.
func (o outcome) ok() bool { return o.err == nil && o.code/100 == 2 }

// class names how the request ended, for counting: "201", "503 ServiceUnavailable", "connection refused", ...
func (o outcome) class() string {
	if o.err != nil {
		return transportClass(o.err)
	}
	if o.code/100 == 2 {
		return fmt.Sprint(o.code)
	}
	var st metav1.Status
	if json.Unmarshal(o.body, &st) == nil && st.Reason != "" {
		return fmt.Sprintf("%d %s", o.code, st.Reason)
	}
	return fmt.Sprint(o.code)
}

// transportClass names a transport error.
func transportClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE):
		// The request was written to a connection the killed server had already closed.
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "EOF"
	case strings.Contains(err.Error(), "http2: client connection force closed"), strings.Contains(err.Error(), "http2: client connection lost"):
		// The HTTP/2 transport's words for a connection that broke with the request on it.
		return "connection closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "transport error: " + err.Error()
}

// unclear returns why a failed request did not fail clearly, or "" when it did: a clear failure is a refused, reset,
// broken or closed connection (the client knows it got no answer), or a 5xx answer that is a Status with a message. A
// 4xx, a timeout, or a 5xx without an explanation is not clear.
func (o outcome) unclear() string {
	if o.err != nil {
		switch c := transportClass(o.err); c {
		case "connection refused", "connection reset", "broken pipe", "connection closed", "EOF":
			return ""
		default:
			return c
		}
	}
	if o.code/100 != 5 {
		return fmt.Sprintf("status %d: %s", o.code, truncate(o.body))
	}
	var st metav1.Status
	if err := json.Unmarshal(o.body, &st); err != nil || st.Kind != "Status" || st.Message == "" {
		return fmt.Sprintf("status %d without a Status message: %s", o.code, truncate(o.body))
	}
	return ""
}

// truncate shortens a body for messages.
func truncate(b []byte) string {
	const limit = 300
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}

func TestTransportClass(t *testing.T) {
	wrap := func(errno syscall.Errno) error {
		return &url.Error{Op: "Get", URL: "https://127.0.0.1:1/", Err: &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", errno)}}
	}
	for _, tc := range []struct {
		err   error
		class string
		clear bool
	}{
		{wrap(syscall.ECONNREFUSED), "connection refused", true},
		{wrap(syscall.ECONNRESET), "connection reset", true},
		{wrap(syscall.EPIPE), "broken pipe", true},
		{fmt.Errorf("get: %w", io.ErrUnexpectedEOF), "EOF", true},
		{errors.New("http2: client connection force closed via ClientConn.Close"), "connection closed", true},
		{wrap(syscall.EHOSTUNREACH), "transport error: " + wrap(syscall.EHOSTUNREACH).Error(), false},
	} {
		o := outcome{err: tc.err}
		if got := o.class(); got != tc.class {
			t.Errorf("class(%v) = %q, want %q", tc.err, got, tc.class)
		}
		if got := o.unclear() == ""; got != tc.clear {
			t.Errorf("clear(%v) = %v, want %v", tc.err, got, tc.clear)
		}
	}
}
