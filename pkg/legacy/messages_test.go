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
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

func TestMessages(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"invalid name", invalidNameMessage("Edge_1", `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`),
			`Invalid node name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`},
		{"invalid name, detail with IP", invalidNameMessage("x", "looks like an IP"), "Invalid node name: looks like an ip"},
		{"invalid name, no detail", invalidNameMessage("Edge_1", ""), "Invalid node name: Edge_1"},
		{"invalid name, nothing", invalidNameMessage("", ""), "Invalid node name:"},
		{"invalid IP", invalidIPMessage("10.0.0.256", ""), "Invalid node IP: 10.0.0.256"},
		{"invalid IP, detail", invalidIPMessage("127.0.0.1", "loopback address"), "Invalid node IP: 127.0.0.1 (loopback address)"},
		{"invalid IP, detail with name", invalidIPMessage("10.96.0.1", "Service CIDR of namespace default"),
			"Invalid node IP: 10.96.0.1 (Service CIDR of Namespace default)"},
		{"invalid IP, no value", invalidIPMessage("", "node_ip is required"), "Invalid node IP: (node_ip is required)"},
		{"name in use", nameInUseMessage("edge-1", ""), "Node name edge-1 in use"},
		{"name in use, detail", nameInUseMessage("edge-1", "reserved with IP 10.0.0.5"), "Node name edge-1 in use (reserved with ip 10.0.0.5)"},
		{"IP in use", ipInUseMessage("10.0.0.5", ""), "Node IP 10.0.0.5 in use"},
		{"IP in use, detail", ipInUseMessage("10.0.0.5", "node name edge-2"), "Node IP 10.0.0.5 in use (node Name edge-2)"},
		{"neutral", neutralMessage(`secrets "tokensecret" is forbidden: cannot get secrets in the namespace "kubeedge" (IP allow-list)`),
			`secrets "tokensecret" is forbidden: cannot get secrets in the Namespace "kubeedge" (ip allow-list)`},
		{"invalid UTF-8", nameMessage("a\xffb"), "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

// messageKind says which console field a message may point at.
type messageKind int

const (
	kindName messageKind = iota
	kindIP
	kindNeutral
)

// checkMessage asserts the console's substring invariants for a message of kind.
func checkMessage(t *testing.T, kind messageKind, msg string) {
	t.Helper()
	hasName, hasIP := strings.Contains(msg, "name"), strings.Contains(msg, "IP")
	switch {
	case kind == kindName && (!hasName || hasIP),
		kind == kindIP && (hasName || !hasIP),
		kind == kindNeutral && (hasName || hasIP):
		t.Errorf("message of kind %d breaks the console invariant: %q", kind, msg)
	}
}

// messagesFor builds every message the package can send from an untrusted value and detail.
func messagesFor(value, detail string) map[string]struct {
	kind messageKind
	msg  string
} {
	type km = struct {
		kind messageKind
		msg  string
	}
	attrs := authorizer.AttributesRecord{User: &user.DefaultInfo{Name: value}, Verb: "create", ResourceRequest: true,
		APIGroup: authzGroupVersion.Group, Resource: authzResource, Subresource: authzSubresource, Name: value}
	nonResource := authorizer.AttributesRecord{Verb: "get", Path: "/" + value}
	_, taint := parseRequest(url.Values{ParamNodeName: {"a"}, ParamNodeIP: {"b"}, ParamDefaultTaint: {detail}}, false)
	out := map[string]km{
		"invalid name":     {kindName, invalidNameMessage(value, detail)},
		"invalid IP":       {kindIP, invalidIPMessage(value, detail)},
		"name in use":      {kindName, nameInUseMessage(value, detail)},
		"IP in use":        {kindIP, ipInUseMessage(value, detail)},
		"unavailable":      {kindNeutral, failureFor(&join.Unavailable{Source: value, Err: errors.New(detail)}).message},
		"internal":         {kindNeutral, failureFor(errors.New(value + detail)).message},
		"unknown field":    {kindNeutral, failureFor(&join.FieldError{Field: join.Field(value), Value: value, Detail: detail}).message},
		"forbidden":        {kindNeutral, forbiddenMessage(attrs, detail)},
		"forbidden path":   {kindNeutral, forbiddenMessage(nonResource, detail)},
		"neutral":          {kindNeutral, neutralMessage(value + detail)},
		"name message":     {kindName, nameMessage("name " + value + detail)},
		"IP message":       {kindIP, ipMessage("IP " + value + detail)},
		"invalid UTF-8 IP": {kindIP, invalidIPMessage(value+"\xff", detail)},
	}
	if taint != nil {
		out["bad taint"] = km{kindNeutral, taint.message}
	}
	return out
}

// checkAllMessages checks the invariants of every message, directly and as served over HTTP.
func checkAllMessages(t *testing.T, value, detail string) {
	for what, m := range messagesFor(value, detail) {
		t.Run(what, func(t *testing.T) { checkMessage(t, m.kind, m.msg) })
	}
	served := []struct {
		kind messageKind
		err  error
	}{
		{kindName, &join.FieldError{Field: join.FieldName, Reason: join.ReasonInvalid, Value: value, Detail: detail}},
		{kindIP, &join.FieldError{Field: join.FieldIP, Reason: join.ReasonInvalid, Value: value, Detail: detail}},
		{kindName, &join.FieldError{Field: join.FieldName, Reason: join.ReasonInUse, Value: value, Detail: detail}},
		{kindIP, &join.FieldError{Field: join.FieldIP, Reason: join.ReasonInUse, Value: value, Detail: detail}},
		{kindNeutral, &join.Unavailable{Source: value, Err: errors.New(detail)}},
		{kindNeutral, errors.New(value + detail)},
	}
	for _, s := range served {
		rec := do(t, NewContainer(&fakeJoiner{err: s.err}), http.MethodGet, JoinPath+"?node_name=a&node_ip=b", nil)
		checkMessage(t, s.kind, checkFailure(t, rec, failureFor(s.err).code))
	}
}

func TestMessageInvariants(t *testing.T) {
	for _, s := range messageSeeds {
		t.Run(s, func(t *testing.T) { checkAllMessages(t, s, s) })
	}
}

// messageSeeds are details that tempt the console into the wrong field.
var messageSeeds = []string{
	"", "IP", "name", "namespace", "Name", "ip", "nIPame", "naIPme", "nnamee", "IIPP", "nam\xffe", "I\xffP",
	"node name", "node IP", "<&>", "\u2028", "NAME", "username", "IPv6",
}

func FuzzMessages(f *testing.F) {
	for _, s := range messageSeeds {
		f.Add(s, s)
	}
	f.Add("edge-1", "reserved by user alice in namespace kubeedge for IP 10.0.0.5")
	f.Fuzz(func(t *testing.T, value, detail string) {
		checkAllMessages(t, value, detail)
	})
}
