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

package keadm

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// Length limits of free-form fields, well above any real value.
const (
	// maxTokenLength bounds the join token.
	maxTokenLength = 4096
	// maxRuntimeEndpointLength bounds the CRI endpoint.
	maxRuntimeEndpointLength = 256
	// maxImageRepositoryLength bounds the image repository prefix.
	maxImageRepositoryLength = 255
)

var (
	// tokenPattern is "<hex sha256 of the CA>.<JWT header>.<JWT claims>.<JWT signature>".
	tokenPattern = regexp.MustCompile(`^[0-9a-f]{64}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
	// unixEndpointPattern is unix:// followed by an absolute path of conservative segments.
	unixEndpointPattern = regexp.MustCompile(`^unix:///[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$`)
	// npipeEndpointPattern is a Windows named pipe on the local host.
	npipeEndpointPattern = regexp.MustCompile(`^npipe://\./pipe/[A-Za-z0-9._-]+$`)
	// imageRepositoryPattern is an optional registry host[:port]/ followed by lower-case path components.
	imageRepositoryPattern = regexp.MustCompile(
		`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[1-9][0-9]{0,4})?/)?` +
			`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	// decimalPortPattern is a port number without sign or leading zeros.
	decimalPortPattern = regexp.MustCompile(`^[1-9][0-9]{0,4}$`)
)

// validateIP checks that s is an IP address in canonical text form (ipam.ParseCanonical) other than
// unspecified or multicast.
func validateIP(s string) (netip.Addr, error) {
	a, err := ipam.ParseCanonical(s)
	switch {
	case err != nil:
		return netip.Addr{}, err
	case a.IsUnspecified():
		return netip.Addr{}, fmt.Errorf("%q is the unspecified address", s)
	case a.IsMulticast():
		return netip.Addr{}, fmt.Errorf("%q is a multicast address", s)
	}
	return a, nil
}

// validateNodeIP checks that s can be a node's InternalIP.
func validateNodeIP(s string) error {
	a, err := validateIP(s)
	if err != nil {
		return err
	}
	if a.IsLoopback() || a.IsLinkLocalUnicast() {
		return fmt.Errorf("%q is a loopback or link-local address", s)
	}
	return nil
}

// validateHost checks that s is a canonical IP address or a DNS-1123 subdomain.
func validateHost(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	if strings.ContainsAny(s, ":") || isDottedDigits(s) {
		_, err := validateIP(s)
		return err
	}
	if msgs := content.IsDNS1123Subdomain(s); len(msgs) > 0 {
		return fmt.Errorf("%q is neither an IP address nor a DNS-1123 name: %s", s, strings.Join(msgs, "; "))
	}
	return nil
}

// isDottedDigits reports whether s looks like an IPv4 address (digits and dots only), so it is judged as one.
func isDottedDigits(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}

// validatePort checks an optional port: 0 means default, otherwise 1..65535.
func validatePort(p int32) error {
	if p < 0 || p > 65535 {
		return fmt.Errorf("%d is not a port number (1-65535, or 0 for the default)", p)
	}
	return nil
}

// validateToken checks the caHash.JWT join token format.
func validateToken(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	if len(s) > maxTokenLength || !tokenPattern.MatchString(s) {
		return errors.New("is not a join token of the form <64 hex digits>.<JWT header>.<JWT claims>.<JWT signature>")
	}
	return nil
}

// validateNodeName checks that s is a DNS-1123 subdomain.
func validateNodeName(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	if msgs := content.IsDNS1123Subdomain(s); len(msgs) > 0 {
		return fmt.Errorf("%q is not a DNS-1123 subdomain: %s", s, strings.Join(msgs, "; "))
	}
	return nil
}

// validateLabel checks a label key and value against the Kubernetes rules.
func validateLabel(key, value string) error {
	if msgs := content.IsLabelKey(key); len(msgs) > 0 {
		return fmt.Errorf("key %q is not a valid label key: %s", key, strings.Join(msgs, "; "))
	}
	if msgs := content.IsLabelValue(value); len(msgs) > 0 {
		return fmt.Errorf("value %q is not a valid label value: %s", value, strings.Join(msgs, "; "))
	}
	return nil
}

// validateTaint checks a taint's key, value and effect.
func validateTaint(t Taint) error {
	if msgs := content.IsLabelKey(t.Key); len(msgs) > 0 {
		return fmt.Errorf("key %q is not a valid taint key: %s", t.Key, strings.Join(msgs, "; "))
	}
	if msgs := content.IsLabelValue(t.Value); len(msgs) > 0 {
		return fmt.Errorf("value %q is not a valid taint value: %s", t.Value, strings.Join(msgs, "; "))
	}
	switch t.Effect {
	case TaintEffectNoSchedule, TaintEffectPreferNoSchedule, TaintEffectNoExecute:
		return nil
	}
	return fmt.Errorf("effect %q must be NoSchedule, PreferNoSchedule or NoExecute", t.Effect)
}

// validateRuntimeEndpoint checks for unix:///abs/path or npipe://./pipe/name.
func validateRuntimeEndpoint(s string) error {
	if len(s) > maxRuntimeEndpointLength {
		return fmt.Errorf("is longer than %d characters", maxRuntimeEndpointLength)
	}
	if npipeEndpointPattern.MatchString(s) {
		return nil
	}
	if !unixEndpointPattern.MatchString(s) {
		return fmt.Errorf("%q must be unix:///absolute/path or npipe://./pipe/name", s)
	}
	for _, seg := range strings.Split(strings.TrimPrefix(s, "unix:///"), "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%q must not contain . or .. path segments", s)
		}
	}
	return nil
}

// validateImageRepository checks a registry/path prefix such as "registry.example.com:5000/kubeedge".
func validateImageRepository(s string) error {
	if len(s) > maxImageRepositoryLength || !imageRepositoryPattern.MatchString(s) {
		return fmt.Errorf("%q is not an image repository of the form [registry[:port]/]path (lower-case path components)", s)
	}
	return nil
}

// validateCgroupDriver checks for cgroupfs or systemd (empty keeps keadm's default).
func validateCgroupDriver(s string) error {
	switch s {
	case "", CgroupDriverCgroupfs, CgroupDriverSystemd:
		return nil
	}
	return fmt.Errorf("%q must be cgroupfs or systemd", s)
}

// validateHubProtocol checks for websocket or quic (empty means websocket).
func validateHubProtocol(p HubProtocol) error {
	switch p {
	case "", HubProtocolWebSocket, HubProtocolQUIC:
		return nil
	}
	return fmt.Errorf("%q must be websocket or quic", string(p))
}

// validateRuntimeType checks for remote or docker (empty means automatic).
func validateRuntimeType(t RuntimeType) error {
	switch t {
	case RuntimeTypeAuto, RuntimeTypeRemote, RuntimeTypeDocker:
		return nil
	}
	return fmt.Errorf("%q must be remote or docker", string(t))
}

// parseHostPort parses a canonical "host:port" (IPv6 hosts in brackets).
func parseHostPort(s string) (string, int32, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, fmt.Errorf("%q is not host:port", s)
	}
	if err := validateHost(host); err != nil {
		return "", 0, err
	}
	if !decimalPortPattern.MatchString(port) {
		return "", 0, fmt.Errorf("%q has an invalid port", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n > 65535 {
		return "", 0, fmt.Errorf("%q has an invalid port", s)
	}
	if net.JoinHostPort(host, port) != s {
		return "", 0, fmt.Errorf("%q is not in canonical form; write it as %s", s, net.JoinHostPort(host, port))
	}
	return host, int32(n), nil
}
