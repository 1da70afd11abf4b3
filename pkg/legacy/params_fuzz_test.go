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
	"net/http"
	"net/url"
	"testing"
)

// FuzzParseRequest checks that any query string either yields a request with exactly the single non-empty name
// and IP it carries, or a 400 with a message; where the IP is optional, an absent or empty IP is accepted too.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"node_name=edge-1&node_ip=10.0.0.1", "node_name=edge-1&node_ip=10.0.0.1&add_default_taint=true",
		"node_name=a&node_name=b&node_ip=10.0.0.1", "node_name=&node_ip=10.0.0.1", "node_name=%00&node_ip=%ZZ",
		"node_name=edge-1&node_ip=10.0.0.1&add_default_taint=yes", "", "node_name=edge-1&add_default_taint=true",
		"node_name=edge-1&node_ip=&version=v1.23.1&runtime=docker&image-repository=x",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, ipOptional bool) {
		query, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, fail := parseRequest(query, ipOptional)
		if fail != nil {
			if fail.code != http.StatusBadRequest || fail.message == "" {
				t.Errorf("parseRequest(%q) failed with %d and no message", raw, fail.code)
			}
			return
		}
		if len(query[ParamNodeName]) != 1 || req.NodeName != query.Get(ParamNodeName) || req.NodeName == "" {
			t.Errorf("parseRequest(%q) = %+v, not the single name of the query", raw, req)
		}
		ipGiven := len(query[ParamNodeIP]) == 1 && req.NodeIP == query.Get(ParamNodeIP) && req.NodeIP != ""
		ipLeftOut := ipOptional && len(query[ParamNodeIP]) <= 1 && req.NodeIP == ""
		if !ipGiven && !ipLeftOut {
			t.Errorf("parseRequest(%q, %v) = %+v, not the single IP of the query", raw, ipOptional, req)
		}
		if len(query[ParamVersion]) > 1 || req.Version != query.Get(ParamVersion) {
			t.Errorf("parseRequest(%q) version = %q, not the single version of the query", raw, req.Version)
		}
	})
}
