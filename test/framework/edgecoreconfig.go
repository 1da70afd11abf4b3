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

package framework

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
)

// EdgeCoreConfig is an edgecore.yaml (edgecore.config.kubeedge.io/v1alpha2) as a generic document, so the test
// changes only what keadm or the edge host would and passes everything else through as edgecore wrote it.
type EdgeCoreConfig map[string]any

// DefaultEdgeCoreConfig returns what `edgecore --defaultconfig` prints, the file `keadm join` starts from
// (kubeedge/kubeedge@v1.23.1:keadm/cmd/keadm/app/cmd/edge/join_others.go, createEdgeConfigFiles).
func DefaultEdgeCoreConfig(ctx context.Context, bin string) (EdgeCoreConfig, error) {
	out, err := exec.CommandContext(ctx, bin, "--defaultconfig").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --defaultconfig: %w", bin, err)
	}
	return ParseEdgeCoreConfig(out)
}

// ParseEdgeCoreConfig parses an edgecore.yaml.
func ParseEdgeCoreConfig(data []byte) (EdgeCoreConfig, error) {
	var c EdgeCoreConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parse edgecore config: %w", err)
	}
	if _, ok := c["modules"].(map[string]any); !ok {
		return nil, fmt.Errorf("edgecore config has no modules section")
	}
	return c, nil
}

// YAML renders the config.
func (c EdgeCoreConfig) YAML() ([]byte, error) {
	return yaml.Marshal(map[string]any(c))
}

// Get returns the value at a dot-separated path of JSON field names, such as modules.edged.nodeIP.
func (c EdgeCoreConfig) Get(path string) (any, bool) {
	var cur any = map[string]any(c)
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Set sets the value at a dot-separated path of JSON field names. Every section on the way must exist, as
// keadm's field walk requires; the last field may be absent (edgecore omits empty fields).
func (c EdgeCoreConfig) Set(path string, v any) error {
	segs := strings.Split(path, ".")
	m := map[string]any(c)
	for i, seg := range segs[:len(segs)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			return fmt.Errorf("edgecore config has no section %s", strings.Join(segs[:i+1], "."))
		}
		m = next
	}
	m[segs[len(segs)-1]] = v
	return nil
}

// keadmShortFlags maps the short flags of `keadm join` to their long names.
var keadmShortFlags = map[string]string{
	"e": "cloudcore-ipport", "t": "token", "i": "edgenode-name", "p": "remote-runtime-endpoint",
	"r": "runtimetype", "s": "certport", "l": "labels",
}

// keadmBoolFlags are the `keadm join` flags that take no value.
var keadmBoolFlags = map[string]bool{"with-mqtt": true}

// ParseKeadmJoin returns the flags of a `keadm join` argv (starting "keadm", "join"), each with every value it
// was given in order.
func ParseKeadmJoin(argv []string) (map[string][]string, error) {
	if len(argv) < 2 || argv[0] != "keadm" || argv[1] != "join" {
		return nil, fmt.Errorf("not a keadm join command: %q", argv)
	}
	flags := map[string][]string{}
	for i := 2; i < len(argv); i++ {
		arg := argv[i]
		var name string
		switch {
		case strings.HasPrefix(arg, "--"):
			name = arg[2:]
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			name = keadmShortFlags[arg[1:2]]
			if name == "" {
				return nil, fmt.Errorf("unknown short flag %s", arg)
			}
			if len(arg) > 2 {
				name += "=" + strings.TrimPrefix(arg[2:], "=")
			}
		default:
			return nil, fmt.Errorf("unexpected argument %q", arg)
		}
		if n, v, ok := strings.Cut(name, "="); ok {
			flags[n] = append(flags[n], v)
			continue
		}
		if keadmBoolFlags[name] {
			flags[name] = append(flags[name], "true")
			continue
		}
		if i+1 >= len(argv) {
			return nil, fmt.Errorf("flag --%s has no value", name)
		}
		i++
		flags[name] = append(flags[name], argv[i])
	}
	return flags, nil
}

// last returns the last value of a flag, or def when it was not given.
func last(flags map[string][]string, name, def string) string {
	if v := flags[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return def
}

// setting is one value at a JSON path of the config.
type setting struct {
	path  string
	value any
}

// ApplyKeadmJoin changes the config as `keadm join` v1.23.1 does with argv before it starts edgecore
// (createEdgeConfigFiles, see DefaultEdgeCoreConfig): token, node name, cgroup driver, CRI endpoint, the
// cloudcore addresses derived from --cloudcore-ipport (hub, https on --certport or 10002, the stream tunnel on
// 10004), labels, and then each --set. Install-time flags (version, image repository, scripts) change nothing.
func (c EdgeCoreConfig) ApplyKeadmJoin(argv []string) error {
	flags, err := ParseKeadmJoin(argv)
	if err != nil {
		return err
	}
	ipport := last(flags, "cloudcore-ipport", "")
	host, _, err := net.SplitHostPort(ipport)
	if err != nil {
		return fmt.Errorf("--cloudcore-ipport %q: %w", ipport, err)
	}
	endpoint := last(flags, "remote-runtime-endpoint", "unix:///run/containerd/containerd.sock")
	driver := last(flags, "cgroupdriver", "cgroupfs")
	if driver != "cgroupfs" && driver != "systemd" {
		return fmt.Errorf("unsupported CGroupDriver: %s", driver)
	}
	sets := []setting{
		{"modules.edged.tailoredKubeletConfig.cgroupDriver", driver},
		{"modules.edged.tailoredKubeletConfig.containerRuntimeEndpoint", endpoint},
		{"modules.edged.tailoredKubeletConfig.imageServiceEndpoint", endpoint},
		{"modules.edgeHub.httpServer", "https://" + net.JoinHostPort(host, last(flags, "certport", "10002"))},
		{"modules.edgeStream.server", net.JoinHostPort(host, "10004")},
	}
	if t := last(flags, "token", ""); t != "" {
		sets = append(sets, setting{"modules.edgeHub.token", t})
	}
	if n := last(flags, "edgenode-name", ""); n != "" {
		sets = append(sets, setting{"modules.edged.hostnameOverride", n})
	}
	switch p := last(flags, "hub-protocol", "websocket"); p {
	case "websocket":
		sets = append(sets, []setting{
			{"modules.edgeHub.quic.enable", false},
			{"modules.edgeHub.websocket.enable", true},
			{"modules.edgeHub.quic.server", net.JoinHostPort(host, "10001")},
			{"modules.edgeHub.websocket.server", ipport},
		}...)
	case "quic":
		sets = append(sets, []setting{
			{"modules.edgeHub.quic.enable", true},
			{"modules.edgeHub.websocket.enable", false},
			{"modules.edgeHub.quic.server", ipport},
			{"modules.edgeHub.websocket.server", net.JoinHostPort(host, "10000")},
		}...)
	default:
		return fmt.Errorf("unsupported hub of protocol: %s", p)
	}
	if labels := flags["labels"]; len(labels) > 0 {
		m := map[string]any{}
		for _, l := range labels {
			for kv := range strings.SplitSeq(l, ",") {
				k, v, _ := strings.Cut(kv, "=")
				if k != "" {
					m[k] = v
				}
			}
		}
		sets = append(sets, setting{"modules.edged.nodeLabels", m})
	}
	for _, s := range sets {
		if err := c.Set(s.path, s.value); err != nil {
			return err
		}
	}
	for _, set := range flags["set"] {
		if err := c.applySet(set); err != nil {
			return fmt.Errorf("--set %s: %w", set, err)
		}
	}
	return nil
}

// applySet applies one --set value as keadm's util.ParseSet does for plain assignments
// (kubeedge/kubeedge@v1.23.1:keadm/cmd/keadm/app/cmd/util/set.go): comma-separated key=value pairs, values
// typed int, float, bool or else string, keys as JSON paths or, when the first segment is upper case, as Go
// field paths (matched here case-insensitively against the document's JSON names). Lists, maps and quoted
// values are refused rather than approximated.
func (c EdgeCoreConfig) applySet(set string) error {
	if strings.ContainsAny(set, `"{}[]`) {
		return fmt.Errorf("quoted, list and map values are not supported by this test helper")
	}
	for pair := range strings.SplitSeq(set, ",") {
		key, raw, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || strings.Contains(raw, "=") {
			continue // keadm skips a piece that does not split into exactly two parts
		}
		path := key
		if r, _ := utf8.DecodeRuneInString(key); unicode.IsUpper(r) {
			var err error
			if path, err = c.jsonPath(key); err != nil {
				return err
			}
		}
		if err := c.Set(path, typedSetValue(raw)); err != nil {
			return err
		}
	}
	return nil
}

// jsonPath turns a Go field path such as Modules.Edged.NodeIP into the document's JSON path, matching each
// segment case-insensitively; an absent last segment gets a lower-case first letter.
func (c EdgeCoreConfig) jsonPath(goPath string) (string, error) {
	segs := strings.Split(goPath, ".")
	out := make([]string, len(segs))
	m := map[string]any(c)
	for i, seg := range segs {
		out[i] = strings.ToLower(seg[:1]) + seg[1:]
		for k := range m {
			if strings.EqualFold(k, seg) {
				out[i] = k
			}
		}
		if i == len(segs)-1 {
			break
		}
		next, ok := m[out[i]].(map[string]any)
		if !ok {
			return "", fmt.Errorf("edgecore config has no section for %s", strings.Join(segs[:i+1], "."))
		}
		m = next
	}
	return strings.Join(out, "."), nil
}

// typedSetValue types a --set value as keadm does: int, then float, then bool, else the string itself.
func typedSetValue(s string) any {
	if i, err := strconv.Atoi(s); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	return s
}
