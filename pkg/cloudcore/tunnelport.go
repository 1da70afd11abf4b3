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

package cloudcore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// tunnelPortSource names the tunnel-port record in error messages.
const tunnelPortSource = "ConfigMap " + Namespace + "/" + TunnelPortConfigMapName + " annotation " + TunnelPortAnnotation

// TunnelPortRecord is cloudcore's tunnel-port negotiation record: each cloudcore's IP and the
// port (10351 and up) that edges connected to it report as their kubelet endpoint port.
type TunnelPortRecord struct {
	byPort map[int32]netip.Addr
	byIP   map[netip.Addr]int32
}

// ParseTunnelPortConfigMap parses the record from the kubeedge/tunnelport ConfigMap's annotation.
func ParseTunnelPortConfigMap(cm *corev1.ConfigMap) (*TunnelPortRecord, error) {
	if cm == nil {
		return nil, &FieldError{Source: tunnelPortSource, Err: errors.New("ConfigMap not found")}
	}
	data, ok := cm.Annotations[TunnelPortAnnotation]
	if !ok {
		return nil, &FieldError{Source: tunnelPortSource, Err: errors.New("annotation not set")}
	}
	return ParseTunnelPortRecord([]byte(data))
}

// ParseTunnelPortRecord parses the record's JSON,
// {"ipTunnelPort":{"<cloudcore IP>":<port>},"port":{"<port>":true}} (kubeedge/kubeedge@v1.23.1: cloud/pkg/common/modules/modules.go, cloud/pkg/cloudstream/iptables/iptables.go).
// Every IP must be canonical, every port 1-65535, and no port may belong to two cloudcores.
func ParseTunnelPortRecord(data []byte) (*TunnelPortRecord, error) {
	fail := func(field string, err error) error {
		return &FieldError{Source: tunnelPortSource, Field: field, Err: err}
	}
	if len(data) > maxDocumentBytes {
		return nil, fail("", fmt.Errorf("larger than %d bytes", maxDocumentBytes))
	}
	var top map[string]json.RawMessage
	if err := strictJSON(data, &top); err != nil || top == nil {
		return nil, fail("", errors.New("must be a JSON object"))
	}
	ipPorts, err := jsonObject(top, "ipTunnelPort", true)
	if err != nil {
		return nil, fail("ipTunnelPort", err)
	}
	r := &TunnelPortRecord{byPort: map[int32]netip.Addr{}, byIP: map[netip.Addr]int32{}}
	for _, ip := range sortedKeys(ipPorts) {
		field := fmt.Sprintf("ipTunnelPort[%q]", truncate(ip))
		addr, err := ipam.ParseCanonical(ip)
		if err != nil {
			return nil, fail(field, err)
		}
		port, err := jsonPort(ipPorts[ip])
		if err != nil {
			return nil, fail(field, err)
		}
		if other, dup := r.byPort[port]; dup {
			return nil, fail(field, fmt.Errorf("port %d is also recorded for %s", port, other))
		}
		r.byPort[port], r.byIP[addr] = addr, port
	}
	used, err := jsonObject(top, "port", false)
	if err != nil {
		return nil, fail("port", err)
	}
	for _, key := range sortedKeys(used) {
		field := fmt.Sprintf("port[%q]", truncate(key))
		if _, err := decimalPort(key); err != nil {
			return nil, fail(field, err)
		}
		var b bool
		if err := strictJSON(used[key], &b); err != nil {
			return nil, fail(field, errors.New("must be true or false"))
		}
	}
	return r, nil
}

// jsonObject returns the JSON object at key of top; a missing key or null is absent.
func jsonObject(top map[string]json.RawMessage, key string, required bool) (map[string]json.RawMessage, error) {
	raw, ok := top[key]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		if required {
			return nil, errors.New("is required")
		}
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := strictJSON(raw, &m); err != nil {
		return nil, errors.New("must be a JSON object")
	}
	return m, nil
}

// sortedKeys returns the keys of m in order, so errors are deterministic.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CloudcoreFor returns the IP of the cloudcore that owns a tunnel port.
func (r *TunnelPortRecord) CloudcoreFor(port int32) (netip.Addr, bool) {
	a, ok := r.byPort[port]
	return a, ok
}

// PortOf returns the tunnel port recorded for a cloudcore IP.
func (r *TunnelPortRecord) PortOf(ip netip.Addr) (int32, bool) {
	p, ok := r.byIP[ip]
	return p, ok
}

// Ports returns every recorded port in ascending order.
func (r *TunnelPortRecord) Ports() []int32 {
	out := make([]int32, 0, len(r.byPort))
	for p := range r.byPort {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Len is the number of recorded cloudcores.
func (r *TunnelPortRecord) Len() int {
	return len(r.byPort)
}

// strictJSON decodes exactly one JSON value into v, keeping numbers exact.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// jsonPort decodes a JSON integer port; a quoted number is refused.
func jsonPort(raw json.RawMessage) (int32, error) {
	var n json.Number
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] == '"' || strictJSON(trimmed, &n) != nil {
		return 0, fmt.Errorf("must be an integer port, got %s", truncate(string(trimmed)))
	}
	return decimalPort(n.String())
}

// decimalPort parses a decimal port number 1-65535.
func decimalPort(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", truncate(s))
	}
	return int32(n), nil
}

// Equal reports whether r and o record the same ports and IPs; two nil records are equal.
func (r *TunnelPortRecord) Equal(o *TunnelPortRecord) bool {
	if r == nil || o == nil {
		return r == o
	}
	return maps.Equal(r.byPort, o.byPort)
}
