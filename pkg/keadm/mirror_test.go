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
	"slices"
	"strings"
	"testing"
)

func TestParseMirror(t *testing.T) {
	tests := []struct {
		name     string
		spec     MirrorSpec
		wantName string
		verified bool
	}{
		{"empty is KubeEdge's", MirrorSpec{}, MirrorKubeEdge, true},
		{"kubeedge", MirrorSpec{Mirror: MirrorKubeEdge}, MirrorKubeEdge, true},
		{"kubeedge unverified by choice", MirrorSpec{Mirror: MirrorKubeEdge, Checksum: ChecksumNone}, MirrorKubeEdge, false},
		{"kubesphere-zh unverified by choice", MirrorSpec{Mirror: MirrorKubeSphereZH, Checksum: ChecksumNone}, MirrorKubeSphereZH, false},
		{"kubesphere-en with a checksum of one's own", MirrorSpec{Mirror: MirrorKubeSphereEN,
			Checksum: "https://sums.example.com/{version}/{arch}.txt"}, MirrorKubeSphereEN, true},
		{"template", MirrorSpec{Mirror: "https://mirror.example.com/{version}/keadm-{version}-linux-{arch}.tar.gz"}, "mirror.example.com", true},
		{"http template with an https checksum", MirrorSpec{Mirror: "http://10.0.0.1:8080/{version}/{arch}/k.tgz",
			Checksum: "https://sums.example.com/{version}/{arch}"}, "10.0.0.1:8080", true},
		{"template unverified by choice", MirrorSpec{Mirror: "http://[2001:db8::1]/{version}/{arch}.tgz", Checksum: ChecksumNone}, "[2001:db8::1]", false},
		{"template with a binary", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}.tgz", Binary: "a/{arch}/b-{version}/keadm"},
			"m.example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMirror(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if m.Name() != tt.wantName || m.Verified() != tt.verified {
				t.Errorf("Name() %q, Verified() %v; want %q, %v", m.Name(), m.Verified(), tt.wantName, tt.verified)
			}
		})
	}
}

func TestParseMirrorRejects(t *testing.T) {
	const ok = "https://m.example.com/{version}/keadm-{version}-linux-{arch}.tar.gz"
	tests := []struct {
		name  string
		spec  MirrorSpec
		field string
		msg   string
	}{
		{"unknown name", MirrorSpec{Mirror: "github"}, "mirror", `unknown mirror "github"`},
		{"old region value", MirrorSpec{Mirror: "zh"}, "mirror", "unknown mirror"},
		{"name with spaces", MirrorSpec{Mirror: " kubeedge"}, "mirror", "unknown mirror"},
		{"no version", MirrorSpec{Mirror: "https://m.example.com/{arch}.tgz"}, "mirror", "must contain both {version} and {arch}"},
		{"no arch", MirrorSpec{Mirror: "https://m.example.com/{version}.tgz"}, "mirror", "must contain both {version} and {arch}"},
		{"unknown placeholder", MirrorSpec{Mirror: "https://m.example.com/{version}/{os}/{arch}"}, "mirror", "only {version} and {arch} may stand in braces"},
		{"unclosed brace", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch"}, "mirror", "only {version} and {arch} may stand in braces"},
		{"shell variable", MirrorSpec{Mirror: "https://m.example.com/{version}/$arch"}, "mirror", "nothing is expanded but {version} and {arch}"},
		{"braced shell variable", MirrorSpec{Mirror: "https://m.example.com/{version}/${arch}"}, "mirror", "nothing is expanded"},
		{"command substitution", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}/$(reboot)"}, "mirror", "nothing is expanded"},
		{"backticks", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}/`reboot`"}, "mirror", "character '`' is not allowed"},
		{"space", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch} x"}, "mirror", "character ' ' is not allowed"},
		{"newline", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}\nreboot"}, "mirror", `character '\n' is not allowed`},
		{"double quote", MirrorSpec{Mirror: `https://m.example.com/{version}/{arch}"`}, "mirror", "is not allowed"},
		{"backslash", MirrorSpec{Mirror: `https://m.example.com/{version}/{arch}\`}, "mirror", "is not allowed"},
		{"NUL", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}\x00"}, "mirror", "is not allowed"},
		{"non-ASCII", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}/雪"}, "mirror", "is not allowed"},
		{"ftp", MirrorSpec{Mirror: "ftp://m.example.com/{version}/{arch}"}, "mirror", "scheme must be https or http"},
		{"file", MirrorSpec{Mirror: "file:///srv/{version}/{arch}"}, "mirror", "scheme must be https or http"},
		{"no host", MirrorSpec{Mirror: "https:///srv/{version}/{arch}"}, "mirror", "must be an absolute URL with a host"},
		{"opaque", MirrorSpec{Mirror: "https:m.example.com/{version}/{arch}"}, "mirror", "unknown mirror"},
		{"credentials", MirrorSpec{Mirror: "https://u:p@m.example.com/{version}/{arch}"}, "mirror", "no user information"},
		{"arch in the host", MirrorSpec{Mirror: "https://{arch}.example.com/{version}/k"}, "mirror", "must not depend on the version or the architecture"},
		{"version in the host", MirrorSpec{Mirror: "https://m{version}.example.com/{arch}/k"}, "mirror", "must not depend"},
		{"arch in the scheme", MirrorSpec{Mirror: "http{arch}://m.example.com/{version}/k"}, "mirror", ""},
		{"arch in the port", MirrorSpec{Mirror: "https://m.example.com:8{arch}/{version}/k"}, "mirror", ""},
		{"arch in user information", MirrorSpec{Mirror: "https://{arch}@m.example.com/{version}/k"}, "mirror", "no user information"},
		{"too long", MirrorSpec{Mirror: ok + "?" + strings.Repeat("a", 2048)}, "mirror", "longer than 2048"},
		{"built-in mirror without checksums", MirrorSpec{Mirror: MirrorKubeSphereZH}, "checksum", `mirror kubesphere-zh publishes no checksum files`},
		{"other built-in mirror without checksums", MirrorSpec{Mirror: MirrorKubeSphereEN}, "checksum", `or "none" to download keadm unverified`},
		{"checksum over http", MirrorSpec{Mirror: ok, Checksum: "http://m.example.com/{version}/{arch}.txt"}, "checksum", "must use https"},
		{"derived checksum over http", MirrorSpec{Mirror: "http://m.example.com/{version}/{arch}.tgz"}, "checksum", "must use https"},
		{"derived checksum after a query", MirrorSpec{Mirror: "https://m.example.com/k?v={version}&a={arch}"}, "checksum", "needs an explicit checksum URL template"},
		{"derived checksum after a fragment", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}#x"}, "checksum", "needs an explicit checksum URL template"},
		{"derived checksum of a directory", MirrorSpec{Mirror: "https://m.example.com/{version}/{arch}/"}, "checksum", "does not end in a file"},
		{"checksum without arch", MirrorSpec{Mirror: ok, Checksum: "https://m.example.com/{version}/sums.txt"}, "checksum", "must contain both"},
		{"checksum injection", MirrorSpec{Mirror: ok, Checksum: "https://m.example.com/{version}/{arch}$(id)"}, "checksum", "nothing is expanded"},
		{"checksum None is not none", MirrorSpec{Mirror: MirrorKubeSphereZH, Checksum: "None"}, "checksum", "scheme must be https or http"},
		{"absolute binary", MirrorSpec{Binary: "/usr/local/bin/keadm"}, "binary", "relative path"},
		{"binary climbing out", MirrorSpec{Binary: "keadm-{version}/../../keadm"}, "binary", "relative path"},
		{"binary with dot", MirrorSpec{Binary: "./keadm"}, "binary", "relative path"},
		{"binary with an empty segment", MirrorSpec{Binary: "a//keadm"}, "binary", "relative path"},
		{"binary directory", MirrorSpec{Binary: "keadm/"}, "binary", "relative path"},
		{"binary with a space", MirrorSpec{Binary: "ke adm"}, "binary", "not allowed"},
		{"binary with a quote", MirrorSpec{Binary: "ke'adm"}, "binary", "not allowed"},
		{"binary with a shell variable", MirrorSpec{Binary: "$HOME/keadm"}, "binary", "nothing is expanded"},
		{"binary with a semicolon", MirrorSpec{Binary: "keadm;reboot"}, "binary", "not allowed"},
		{"binary too long", MirrorSpec{Binary: strings.Repeat("a", 257)}, "binary", "longer than 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMirror(tt.spec)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Err.Error(), tt.msg) {
				t.Fatalf("ParseMirror = %+v, %v; want a FieldError for %q containing %q", m, err, tt.field, tt.msg)
			}
		})
	}
}

func TestRegionMirror(t *testing.T) {
	for _, r := range []Region{RegionZH, RegionEN} {
		m, err := RegionMirror(r)
		if err != nil || m.Name() != "kubesphere-"+string(r) || m.Verified() {
			t.Errorf("RegionMirror(%s) = %q verified %v, %v", r, m.Name(), m.Verified(), err)
		}
	}
	for _, r := range []Region{"", "cn", "ZH", "zh;id", "kubesphere-zh"} {
		if _, err := RegionMirror(r); err == nil {
			t.Errorf("RegionMirror(%q) accepted", r)
		}
	}
}

func TestLegacyURIMirrorRejects(t *testing.T) {
	tests := []struct {
		name, uri string
		region    Region
	}{
		{"command substitution", "https://x.example.com/$(id)", ""},
		{"backticks", "https://x.example.com/`id`", ""},
		{"other variable", "https://x.example.com/$HOME", ""},
		{"arch prefix of a longer name", "https://x.example.com/$archive", ""},
		{"space", "https://x.example.com/a b", ""},
		{"newline", "https://x.example.com/a\nb", ""},
		{"double quote", `https://x.example.com/a"b`, ""},
		{"braces", "https://x.example.com/{version}/{arch}", ""},
		{"non-ASCII", "https://x.example.com/雪", ""},
		{"scheme", "ftp://x.example.com/k.tgz", ""},
		{"relative", "/k.tgz", ""},
		{"opaque", "https:x.example.com/k.tgz", ""},
		{"empty", "", ""},
		{"credentials", "https://u:p@x.example.com/k.tgz", ""},
		{"arch in host", "https://$arch.example.com/k.tgz", ""},
		{"too long", "https://x.example.com/" + strings.Repeat("a", 2048), ""},
		{"bad region", "https://x.example.com/$arch.tgz", "cn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := LegacyURIMirror(tt.uri, tt.region); err == nil {
				t.Fatalf("LegacyURIMirror(%q, %q) = %+v, want an error", tt.uri, tt.region, m)
			}
		})
	}
}

// TestHostileMirrorValues plants each hostile value in every part of a mirror: it is refused, or it reaches
// curl and keadm's path as inert text, with nothing expanded but $arch.
func TestHostileMirrorValues(t *testing.T) {
	args := legacyKeadm(t, "v1.7.2").Argv[1:]
	accepted := 0
	for _, h := range hostile {
		specs := []MirrorSpec{
			{Mirror: "https://m.example.com/{version}/" + h + "/{arch}.tgz"},
			{Mirror: "https://m.example.com/{version}/{arch}.tgz", Checksum: "https://m.example.com/{version}/{arch}" + h},
			{Binary: "keadm-{version}/" + h + "/keadm"},
		}
		for i, spec := range specs {
			m, err := ParseMirror(spec)
			if err != nil {
				continue
			}
			accepted++
			line, err := RenderLegacy(LegacyParams{Version: "v1.7.2", Mirror: m, Args: args})
			if err != nil {
				t.Fatalf("%q in part %d: accepted by ParseMirror, refused by RenderLegacy: %v", h, i, err)
			}
			calls := mustRunLegacy(t, line, "aarch64") // runLegacy checks the AST: only $arch and $(uname -m) expand
			expand := strings.NewReplacer("{version}", "v1.7.2", "{arch}", "arm64")
			var urls []string
			for _, c := range calls {
				if c[0] == "curl" {
					urls = append(urls, c[3])
				}
			}
			want := []string{expand.Replace(spec.Mirror), expand.Replace(spec.Checksum)}
			switch i {
			case 0:
				want[1] = expand.Replace("https://m.example.com/{version}/" + h + "/checksum_{arch}.tgz.txt")
			case 2:
				want = []string{"https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/keadm-v1.7.2-linux-arm64.tar.gz",
					"https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/checksum_keadm-v1.7.2-linux-arm64.tar.gz.txt"}
				if got, want := calls[len(calls)-1][0], "./"+expand.Replace(spec.Binary); got != want {
					t.Errorf("%q: keadm run as %q, want %q", h, got, want)
				}
			}
			if !slices.Equal(urls, want) {
				t.Errorf("%q in part %d: curl fetched %q, want %q", h, i, urls, want)
			}
		}
	}
	t.Logf("%d hostile mirror parts accepted as inert text", accepted)
	if accepted == 0 {
		t.Fatal("no hostile value was accepted; the test proves nothing about quoting")
	}
}
