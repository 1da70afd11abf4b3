package legacy

import (
	"net/http"
	"net/url"
	"testing"
)

// FuzzParseRequest checks that any query string either yields a request with exactly the single non-empty name
// and IP it carries, or a 400 with a message.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"node_name=edge-1&node_ip=10.0.0.1", "node_name=edge-1&node_ip=10.0.0.1&add_default_taint=true",
		"node_name=a&node_name=b&node_ip=10.0.0.1", "node_name=&node_ip=10.0.0.1", "node_name=%00&node_ip=%ZZ",
		"node_name=edge-1&node_ip=10.0.0.1&add_default_taint=yes", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		query, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, fail := parseRequest(query)
		if fail != nil {
			if fail.code != http.StatusBadRequest || fail.message == "" {
				t.Errorf("parseRequest(%q) failed with %d and no message", raw, fail.code)
			}
			return
		}
		if len(query[ParamNodeName]) != 1 || req.NodeName != query.Get(ParamNodeName) || req.NodeName == "" ||
			len(query[ParamNodeIP]) != 1 || req.NodeIP != query.Get(ParamNodeIP) || req.NodeIP == "" {
			t.Errorf("parseRequest(%q) = %+v, not the single name and IP of the query", raw, req)
		}
	})
}
