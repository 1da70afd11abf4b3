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
	"slices"
	"strings"
	"testing"
)

// FuzzRenderLegacy feeds arbitrary values into every input of the console line, as a hostile
// edge-watcher-config ConfigMap or flag could: the version, a mirror name or template, its checksum and
// keadm path, an old uri and region, and a keadm argument. An accepted line must be one line whose only
// expansions are $(uname -m) and $arch, and running it must fetch exactly the mirror's URLs and run exactly
// its keadm with the argument; nothing may panic.
func FuzzRenderLegacy(f *testing.F) {
	f.Add("v1.23.1", "", "", "", "", "", "--edgenode-name=edge-1")
	f.Add("v1.7.2", "kubesphere-zh", "none", "", "", "", "a b")
	f.Add("v1.6.2", "https://m.example.com/{version}/keadm-{version}-linux-{arch}.tar.gz", "", "k/{arch}/keadm", "", "", "$(id)")
	f.Add("v1.19.0", "http://10.0.0.1:8080/k?v={version}&a={arch}", "https://s.example.com/{arch}/{version}", "", "", "", "'")
	f.Add("v1.9.2", "", "", "", "https://m.example.com/k/${arch}/keadm-$arch.tgz", "zh", "--x=`id`")
	for _, h := range hostile {
		f.Add("v1.19.2", "https://m.example.com/{version}/"+h+"{arch}", "https://m.example.com/{version}/{arch}"+h, "k"+h, "https://m.example.com/$arch"+h, h, h)
	}
	f.Fuzz(func(t *testing.T, version, mirror, checksum, binary, uri, region, arg string) {
		var m Mirror
		var err error
		if uri != "" {
			m, err = LegacyURIMirror(uri, Region(region))
		} else {
			m, err = ParseMirror(MirrorSpec{Mirror: mirror, Checksum: checksum, Binary: binary})
		}
		if err != nil {
			return
		}
		args := []string{"join", arg}
		line, err := RenderLegacy(LegacyParams{Version: version, Mirror: m, Args: args})
		if err != nil {
			return
		}
		if strings.ContainsAny(line, "\r\n\x00") {
			t.Fatalf("not one line: %q", line)
		}
		v, err := ParseVersion(version)
		if err != nil {
			t.Fatalf("RenderLegacy accepted version %q: %v", version, err)
		}
		calls := mustRunLegacy(t, line, "aarch64") // checks the AST: only $(uname -m) and $arch expand
		spelled := m.arch.name(ArchARM64)
		want := []string{m.tarball.expand(v, spelled)}
		if m.Verified() {
			want = append(want, m.checksum.expand(v, spelled))
		}
		var urls []string
		for _, c := range calls {
			if c[0] == "curl" {
				urls = append(urls, c[len(c)-1])
			}
		}
		if !slices.Equal(urls, want) {
			t.Fatalf("curl fetched %q, want %q\n%s", urls, want, line)
		}
		keadm := append([]string{"./" + m.binary.expand(v, spelled)}, args...)
		if got := calls[len(calls)-1]; !slices.Equal(got, keadm) {
			t.Fatalf("keadm ran as %q, want %q\n%s", got, keadm, line)
		}
	})
}
