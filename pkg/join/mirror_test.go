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

package join

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"mvdan.cc/sh/v3/syntax"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// callWords parses line and returns the words of its first simple command named name ("$arch" reads
// "<expansion>"), or nil.
func callWords(t *testing.T, line, name string) []string {
	t.Helper()
	var out []string
	syntax.Walk(mustParse(t, line), func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok && out == nil && len(call.Args) > 0 && literal(t, call.Args[0]) == name {
			for _, w := range call.Args {
				out = append(out, literal(t, w))
			}
		}
		return true
	})
	return out
}

// TestConsoleMirror sets edge-watcher-config's mirror keys, old and new, and the server's flag defaults:
// the console line downloads from the expected URL, verifies or warns, and runs the keadm where that
// mirror puts it; a bad or ambiguous setting is a 503 naming the key.
func TestConsoleMirror(t *testing.T) {
	const (
		official    = "https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/keadm-v1.23.1-linux-<expansion>.tar.gz"
		officialBin = "./keadm-v1.23.1-linux-<expansion>/keadm/keadm"
		qingstor    = "https://kubeedge.pek3b.qingstor.com/bin/v1.23.1/<expansion>/keadm-v1.23.1-linux-<expansion>.tar.gz"
		kubesphere  = "https://github.com/kubesphere/kubeedge/releases/download/v1.23.1-kubesphere/keadm-v1.23.1-linux-<expansion>.tar.gz"
		tmpl        = "https://mirror.example.com/kubeedge/{version}/keadm-{version}-linux-{arch}.tar.gz"
		tmplURL     = "https://mirror.example.com/kubeedge/v1.23.1/keadm-v1.23.1-linux-<expansion>.tar.gz"
		src         = "ConfigMap kubeedge/edge-watcher-config: "
	)
	kubesphereEN, err := keadm.ParseMirror(keadm.MirrorSpec{Mirror: keadm.MirrorKubeSphereEN, Checksum: keadm.ChecksumNone})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		data       map[string]string // nil: no ConfigMap
		flag       keadm.Mirror
		flagRegion keadm.Region
		url, sum   string // sum "" for an unverified download
		bin        string
		x86        string // how the line spells x86_64
		wantErr    string
	}{
		{"no ConfigMap", nil, keadm.Mirror{}, "", official,
			"https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/checksum_keadm-v1.23.1-linux-<expansion>.tar.gz.txt", officialBin, "amd64", ""},
		{"version only", map[string]string{"version": "v1.7.2"}, keadm.Mirror{}, "",
			"https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/keadm-v1.7.2-linux-<expansion>.tar.gz",
			"https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/checksum_keadm-v1.7.2-linux-<expansion>.tar.gz.txt",
			"./keadm-v1.7.2-linux-<expansion>/keadm/keadm", "amd64", ""},
		{"flag mirror", nil, kubesphereEN, "", kubesphere, "", "./keadm", "amd64", ""},
		{"ConfigMap mirror overrides the flag", map[string]string{"mirror": "kubeedge"}, kubesphereEN, "", official,
			"https://github.com/kubeedge/kubeedge/releases/download/v1.23.1/checksum_keadm-v1.23.1-linux-<expansion>.tar.gz.txt", officialBin, "amd64", ""},
		{"old region zh", map[string]string{"region": "zh", "version": "v1.23.1"}, keadm.Mirror{}, "", qingstor, "", "./keadm", "x86_64", ""},
		{"old region en", map[string]string{"region": "en"}, keadm.Mirror{}, "", kubesphere, "", "./keadm", "amd64", ""},
		{"old region zh with an empty uri, as KubeSphere documented it", map[string]string{"region": "zh", "uri": ""}, keadm.Mirror{}, "",
			qingstor, "", "./keadm", "x86_64", ""},
		{"old uri", map[string]string{"uri": "https://m.example.com/$arch/keadm.tgz"}, keadm.Mirror{}, "",
			"https://m.example.com/<expansion>/keadm.tgz", "", "./keadm", "amd64", ""},
		{"old uri spelled for region zh by the flag", map[string]string{"uri": "https://m.example.com/$arch/keadm.tgz"}, keadm.Mirror{}, keadm.RegionZH,
			"https://m.example.com/<expansion>/keadm.tgz", "", "./keadm", "x86_64", ""},
		{"old uri with region en", map[string]string{"uri": "https://m.example.com/${arch}/keadm.tgz", "region": "en"}, keadm.Mirror{}, keadm.RegionZH,
			"https://m.example.com/<expansion>/keadm.tgz", "", "./keadm", "amd64", ""},
		{"named KubeSphere mirror, unverified by choice", map[string]string{"mirror": "kubesphere-zh", "mirrorChecksum": "none"}, keadm.Mirror{}, "",
			qingstor, "", "./keadm", "x86_64", ""},
		{"template", map[string]string{"mirror": tmpl}, keadm.Mirror{}, "", tmplURL,
			"https://mirror.example.com/kubeedge/v1.23.1/checksum_keadm-v1.23.1-linux-<expansion>.tar.gz.txt", officialBin, "amd64", ""},
		{"template with checksum and binary", map[string]string{"mirror": tmpl, "mirrorChecksum": "https://sums.example.com/{version}/{arch}.txt",
			"mirrorBinary": "keadm-{arch}"}, keadm.Mirror{}, "", tmplURL, "https://sums.example.com/v1.23.1/<expansion>.txt", "./keadm-<expansion>", "amd64", ""},

		{"named mirror without checksums", map[string]string{"mirror": "kubesphere-zh"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirrorChecksum: mirror kubesphere-zh publishes no checksum files: set an https checksum URL template, or "none" to download keadm unverified`},
		{"unknown mirror", map[string]string{"mirror": "kubesphere"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirror: unknown mirror "kubesphere": want kubeedge, kubesphere-zh, kubesphere-en or an http(s) URL template with {version} and {arch}`},
		{"template without arch", map[string]string{"mirror": "https://m.example.com/{version}/keadm.tgz"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirror: "https://m.example.com/{version}/keadm.tgz" must contain both {version} and {arch}`},
		{"arch in the host", map[string]string{"mirror": "https://{arch}.example.com/{version}/keadm.tgz"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirror: "https://{arch}.example.com/{version}/keadm.tgz": the scheme and host must not depend on the version or the architecture`},
		{"old-style $arch in a template", map[string]string{"mirror": "https://m.example.com/{version}/$arch.tgz"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirror: "https://m.example.com/{version}/$arch.tgz": nothing is expanded but {version} and {arch}; percent-encode a literal '$'`},
		{"command substitution in a template", map[string]string{"mirror": "https://m.example.com/{version}/{arch}/$(id)"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirror: "https://m.example.com/{version}/{arch}/$(id)": nothing is expanded but {version} and {arch}; percent-encode a literal '$'`},
		{"query without a checksum", map[string]string{"mirror": "https://m.example.com/k?v={version}&a={arch}"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirrorChecksum: a mirror URL with a query or fragment needs an explicit checksum URL template; set an https checksum URL template, or "none" to download keadm unverified`},
		{"http template without a checksum", map[string]string{"mirror": "http://m.example.com/{version}/keadm-{arch}.tgz"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirrorChecksum: checksum URL "http://m.example.com/{version}/checksum_keadm-{arch}.tgz.txt" must use https: a checksum fetched over plain http verifies nothing; set an https checksum URL template, or "none" to download keadm unverified`},
		{"checksum over http", map[string]string{"mirror": tmpl, "mirrorChecksum": "http://m.example.com/{version}/{arch}.txt"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirrorChecksum: checksum URL "http://m.example.com/{version}/{arch}.txt" must use https: a checksum fetched over plain http verifies nothing`},
		{"binary outside the tarball", map[string]string{"mirror": tmpl, "mirrorBinary": "../keadm"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirrorBinary: "../keadm": must be a relative path without empty, "." or ".." segments`},
		{"absolute binary", map[string]string{"mirror": tmpl, "mirrorBinary": "/usr/bin/keadm"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key mirrorBinary: "/usr/bin/keadm": must be a relative path without empty, "." or ".." segments`},
		{"checksum without mirror", map[string]string{"mirrorChecksum": "none"}, keadm.Mirror{}, "", "", "", "", "",
			src + "key mirrorChecksum: needs key mirror"},
		{"binary without mirror", map[string]string{"mirrorBinary": "keadm"}, keadm.Mirror{}, "", "", "", "", "",
			src + "key mirrorBinary: needs key mirror"},
		{"mirror and uri", map[string]string{"mirror": "kubeedge", "uri": "https://m.example.com/$arch/keadm.tgz"}, keadm.Mirror{}, "", "", "", "", "",
			src + "key mirror: cannot be combined with key uri; write the uri as a mirror template with {version} and {arch}"},
		{"mirror and region", map[string]string{"mirror": "kubeedge", "region": "zh"}, keadm.Mirror{}, "", "", "", "", "",
			src + "key mirror: cannot be combined with key region; set mirror to kubesphere-zh or kubesphere-en instead"},
		{"bad old uri", map[string]string{"uri": "https://m.example.com/$HOME/keadm.tgz"}, keadm.Mirror{}, "", "", "", "", "",
			src + `key uri: "https://m.example.com/$HOME/keadm.tgz": only $arch or ${arch} may be expanded`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.svc.Defaults.Mirror, f.svc.Defaults.LegacyRegion = tt.flag, tt.flagRegion
			if tt.data != nil {
				f.state.legacy = &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kubeedge", Name: LegacyConfigName}, Data: tt.data}
			}
			line, err := f.svc.LegacyCommand(context.Background(), LegacyRequest{NodeName: "edge-m", NodeIP: "10.0.0.8", Requester: "alice"})
			if tt.wantErr != "" {
				if !IsUnavailable(err) || err.Error() != tt.wantErr {
					t.Fatalf("LegacyCommand = %q, %v\nwant the 503 %q", line, err, tt.wantErr)
				}
				if deps := f.svc.Dependencies(); deps[2].Err == nil || deps[2].Err.Error() != tt.wantErr {
					t.Errorf("console-config dependency: %v", deps[2].Err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := callWords(t, line, "curl"); len(got) != 4 || got[3] != tt.url {
				t.Errorf("first download %q, want %q", got, tt.url)
			}
			sum := callWords(t, line, "sha512sum")
			if tt.sum == "" {
				if sum != nil || !strings.Contains(line, "is not verified") {
					t.Errorf("an unverified download must warn and not check: %s", line)
				}
			} else {
				var urls []string
				syntax.Walk(mustParse(t, line), func(n syntax.Node) bool {
					if call, ok := n.(*syntax.CallExpr); ok && len(call.Args) == 4 && literal(t, call.Args[0]) == "curl" {
						urls = append(urls, literal(t, call.Args[3]))
					}
					return true
				})
				if len(urls) != 2 || urls[1] != tt.sum || sum == nil || strings.Contains(line, "not verified") {
					t.Errorf("checksum download %q, want %q, verified: %s", urls, tt.sum, line)
				}
			}
			if got := callWords(t, line, tt.bin); len(got) < 2 || got[1] != "join" {
				t.Errorf("keadm not run as %s: %s", tt.bin, line)
			}
			if !strings.Contains(line, "x86_64) arch="+tt.x86+";;") {
				t.Errorf("x86_64 not spelled %s: %s", tt.x86, line)
			}
		})
	}
}

// mustParse parses line with a real shell parser.
func mustParse(t *testing.T, line string) *syntax.File {
	t.Helper()
	f, err := syntax.NewParser().Parse(strings.NewReader(line), "")
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return f
}
