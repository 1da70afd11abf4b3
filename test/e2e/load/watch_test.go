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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// watchEvent is the part of a watch event the clients read.
type watchEvent struct {
	Type   string `json:"type"`
	Object struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
		// Code and Message are set on the Status of an ERROR event.
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"object"`
}

// currentResourceVersion lists edge nodes and returns the list's resourceVersion, where watches start.
func currentResourceVersion(ctx context.Context, c *http.Client) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req := mustRequest(http.MethodGet, cp.URL+edgeNodesPath, nil).WithContext(ctx)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("list: %d %s", resp.StatusCode, readSnippet(resp.Body))
	}
	var list struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return "", err
	}
	return list.Metadata.ResourceVersion, nil
}

// watchClient is watch client i until ctx ends. It watches every edge node from resourceVersion rv and,
// whenever the server ends a watch (its timeoutSeconds, 5-15 s, or a watcher that fell behind), opens the
// next one from the last version it saw, as a reflector does. The opening request is the route's request;
// its latency is the time to the response headers. It returns the ADDED, MODIFIED and DELETED events it got.
func watchClient(ctx context.Context, c *http.Client, s *routeStats, i int, rv string) int {
	events := 0
	for k := 0; ctx.Err() == nil; k++ {
		timeout := 5 + (i+k)%11
		url := fmt.Sprintf("%s%s?watch=true&allowWatchBookmarks=true&timeoutSeconds=%d&resourceVersion=%s", cp.URL, edgeNodesPath, timeout, rv)
		req := mustRequest(http.MethodGet, url, nil).WithContext(ctx)
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				s.transportError(err)
				pause(ctx, maxBackoff)
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			body := readSnippet(resp.Body)
			_ = resp.Body.Close()
			if ctx.Err() != nil {
				break
			}
			s.failure(resp.StatusCode, resp.Header, body)
			pause(ctx, max(retryAfter(resp), 100*time.Millisecond))
			if resp.StatusCode == http.StatusGone {
				rv = relist(ctx, c, s, rv)
			}
			continue
		}
		s.success(resp.StatusCode, time.Since(start))
		var n int
		n, rv = readWatch(ctx, resp.Body, s, rv)
		_ = resp.Body.Close()
		events += n
		if rv == "" {
			rv = relist(ctx, c, s, rv)
		}
	}
	return events
}

// readWatch reads one watch stream to its end and returns the object events read and the last resourceVersion
// seen ("" after an ERROR event, which needs a new list).
func readWatch(ctx context.Context, body io.Reader, s *routeStats, rv string) (int, string) {
	dec := json.NewDecoder(body)
	events := 0
	for {
		var ev watchEvent
		err := dec.Decode(&ev)
		switch {
		case errors.Is(err, io.EOF):
			return events, rv
		case err != nil:
			if ctx.Err() == nil {
				s.transportError(fmt.Errorf("watch stream: %w", err))
			}
			return events, rv
		case ev.Type == "ERROR":
			s.streamError(ev.Object.Code, ev.Object.Message)
			return events, ""
		}
		s.event(ev.Type)
		if ev.Type != "BOOKMARK" {
			events++
		}
		if v := ev.Object.Metadata.ResourceVersion; v != "" {
			rv = v
		}
	}
}

// relist returns the resourceVersion of a new list, or old when the list fails (recorded as a transport error).
func relist(ctx context.Context, c *http.Client, s *routeStats, old string) string {
	rv, err := currentResourceVersion(ctx, c)
	if err != nil {
		if ctx.Err() == nil {
			s.transportError(fmt.Errorf("relist: %w", err))
		}
		return old
	}
	return rv
}
