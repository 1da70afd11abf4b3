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
	"fmt"
	"net/url"
	"strings"
)

// Names of the built-in mirrors, and the checksum setting that turns verification off.
const (
	// MirrorKubeEdge is KubeEdge's own GitHub release assets, each with a sha512 checksum file.
	MirrorKubeEdge = "kubeedge"
	// MirrorKubeSphereZH is KubeSphere's QingStor bucket, the old console command's mirror for region zh.
	MirrorKubeSphereZH = "kubesphere-zh"
	// MirrorKubeSphereEN is the GitHub releases of KubeSphere's KubeEdge fork, the old mirror for region en.
	MirrorKubeSphereEN = "kubesphere-en"
	// ChecksumNone as a mirror's checksum downloads keadm without verifying it.
	ChecksumNone = "none"
)

// officialBinary is where KubeEdge's tarballs hold keadm (kubeedge/kubeedge@v1.23.1:
// hack/make-rules/release.sh, `build_keadm_release`).
const officialBinary = "keadm-{version}-linux-{arch}/keadm/keadm"

// builtinMirrors are the mirrors known by name.
//
// KubeEdge publishes checksum_<tarball>.txt next to each tarball, holding the bare sha512 hex
// (`build_keadm_release` again). KubeSphere's mirrors publish no checksums and their tarballs hold keadm at
// the top level, as the old console command assumed. The QingStor bucket names amd64 "x86_64": the old
// command's zh branch passed `uname -m` through unchanged (zhu733756/edge-watcher@8113f4d:
// pkg/edgeservice/handler.go), and later KubeSphere releases kept x86_64 and sent every other machine to
// arm64 on the same bucket.
var builtinMirrors = map[string]struct {
	tarball, checksum, binary string
	arch                      archNames
}{
	MirrorKubeEdge: {
		tarball:  "https://github.com/kubeedge/kubeedge/releases/download/{version}/keadm-{version}-linux-{arch}.tar.gz",
		checksum: "https://github.com/kubeedge/kubeedge/releases/download/{version}/checksum_keadm-{version}-linux-{arch}.tar.gz.txt",
		binary:   officialBinary,
	},
	MirrorKubeSphereZH: {
		tarball: "https://kubeedge.pek3b.qingstor.com/bin/{version}/{arch}/keadm-{version}-linux-{arch}.tar.gz",
		binary:  "keadm",
		arch:    archNames{ArchAMD64: "x86_64"},
	},
	MirrorKubeSphereEN: {
		tarball: "https://github.com/kubesphere/kubeedge/releases/download/{version}-kubesphere/keadm-{version}-linux-{arch}.tar.gz",
		binary:  "keadm",
	},
}

// Mirror is where the console command downloads the keadm release tarball, how it verifies it and where
// keadm is inside it. The zero Mirror is KubeEdge's releases.
type Mirror struct {
	name     string
	tarball  template
	checksum template
	binary   template
	arch     archNames
}

// MirrorSpec is a mirror as an operator writes it, before ParseMirror validates it.
type MirrorSpec struct {
	// Mirror is a built-in mirror's name, or an http(s) URL template of the tarball containing {version}
	// and {arch}; empty means MirrorKubeEdge.
	Mirror string
	// Checksum is an https URL template of the tarball's sha512 checksum file, or ChecksumNone. Empty means
	// the built-in mirror's own, or for a template checksum_<tarball file name>.txt next to the tarball.
	Checksum string
	// Binary is the path of keadm inside the tarball, with {version} and {arch}. Empty means the built-in
	// mirror's own, or for a template KubeEdge's layout keadm-{version}-linux-{arch}/keadm/keadm.
	Binary string
}

// DefaultMirror returns KubeEdge's releases, verified against their checksum files.
func DefaultMirror() Mirror {
	m, _ := builtinMirror(MirrorKubeEdge)
	return m
}

// builtinMirror returns the built-in mirror called name.
func builtinMirror(name string) (Mirror, bool) {
	b, ok := builtinMirrors[name]
	if !ok {
		return Mirror{}, false
	}
	m := Mirror{name: name, tarball: mustParse(parseURLTemplate(b.tarball)), binary: mustParse(parsePathTemplate(b.binary)), arch: b.arch}
	if b.checksum != "" {
		m.checksum = mustParse(parseURLTemplate(b.checksum))
	}
	if err := b.arch.validate(); err != nil {
		panic(fmt.Sprintf("keadm: built-in mirror %s: %v", name, err))
	}
	return m, true
}

// mustParse panics on an invalid built-in template.
func mustParse(t template, err error) template {
	if err != nil {
		panic(fmt.Sprintf("keadm: built-in mirror: %v", err))
	}
	return t
}

// ParseMirror validates spec. A mirror without a checksum file is refused unless spec.Checksum is
// ChecksumNone. Errors are *FieldErrors whose Field is "mirror", "checksum" or "binary".
func ParseMirror(spec MirrorSpec) (Mirror, error) {
	name := spec.Mirror
	if name == "" {
		name = MirrorKubeEdge
	}
	m, builtin := builtinMirror(name)
	if !builtin {
		t, err := parseMirrorTemplate(name)
		if err != nil {
			return Mirror{}, &FieldError{Field: "mirror", Err: err}
		}
		m = Mirror{name: hostOf(t), tarball: t, binary: mustParse(parsePathTemplate(officialBinary))}
	}
	switch {
	case spec.Checksum == ChecksumNone:
		m.checksum = template{}
	case spec.Checksum != "":
		c, err := parseChecksumTemplate(spec.Checksum)
		if err != nil {
			return Mirror{}, &FieldError{Field: "checksum", Err: err}
		}
		m.checksum = c
	case !builtin:
		c, err := siblingChecksum(m.tarball)
		if err == nil {
			err = requireHTTPS(c)
		}
		if err != nil {
			return Mirror{}, &FieldError{Field: "checksum", Err: fmt.Errorf("%w; set an https checksum URL template, or %q to download keadm unverified", err, ChecksumNone)}
		}
		m.checksum = c
	case m.checksum.isZero():
		return Mirror{}, &FieldError{Field: "checksum", Err: fmt.Errorf("mirror %s publishes no checksum files: set an https checksum URL template, or %q to download keadm unverified", name, ChecksumNone)}
	}
	if spec.Binary != "" {
		b, err := parsePathTemplate(spec.Binary)
		if err != nil {
			return Mirror{}, &FieldError{Field: "binary", Err: err}
		}
		m.binary = b
	}
	return m, nil
}

// parseMirrorTemplate parses a tarball URL template, which must name both the version and the architecture.
func parseMirrorTemplate(s string) (template, error) {
	if !strings.Contains(s, "://") {
		return template{}, fmt.Errorf("unknown mirror %q: want %s, %s, %s or an http(s) URL template with {version} and {arch}",
			s, MirrorKubeEdge, MirrorKubeSphereZH, MirrorKubeSphereEN)
	}
	t, err := parseURLTemplate(s)
	if err != nil {
		return template{}, err
	}
	return t, requirePlaceholders(t)
}

// parseChecksumTemplate parses a checksum URL template: https, naming the version and the architecture.
func parseChecksumTemplate(s string) (template, error) {
	t, err := parseURLTemplate(s)
	if err != nil {
		return template{}, err
	}
	if err := requirePlaceholders(t); err != nil {
		return template{}, err
	}
	return t, requireHTTPS(t)
}

// requirePlaceholders checks t names both {version} and {arch}: without them every release or every
// architecture would get the same file.
func requirePlaceholders(t template) error {
	if !strings.Contains(t.raw, placeholderVersion) || !strings.Contains(t.raw, placeholderArch) {
		return fmt.Errorf("%q must contain both {version} and {arch}", t.raw)
	}
	return nil
}

// requireHTTPS refuses a checksum URL over plain http, which would verify nothing against a forger.
func requireHTTPS(t template) error {
	if !strings.HasPrefix(t.raw, "https://") {
		return fmt.Errorf("checksum URL %q must use https: a checksum fetched over plain http verifies nothing", t.raw)
	}
	return nil
}

// hostOf returns the host of a URL template, whose host never depends on its placeholders.
func hostOf(t template) string {
	u, err := url.Parse(t.expand(Version{Major: 1, Minor: MaxMinor}, string(ArchAMD64)))
	if err != nil {
		return t.raw
	}
	return u.Host
}

// RegionMirror returns the KubeSphere mirror that the old edge-watcher-config key region selects. Like the
// old command it is not verified, since these mirrors publish no checksums; the command says so.
func RegionMirror(r Region) (Mirror, error) {
	switch r {
	case RegionZH:
		m, _ := builtinMirror(MirrorKubeSphereZH)
		return m, nil
	case RegionEN:
		m, _ := builtinMirror(MirrorKubeSphereEN)
		return m, nil
	}
	return Mirror{}, fmt.Errorf("%q must be zh or en", string(r))
}

// LegacyURIMirror returns the mirror of the old edge-watcher-config key uri: a URL in which $arch or
// ${arch} stands for the architecture, spelled as region's KubeSphere mirror spells it (KubeEdge's
// spelling when region is empty). Like the old command it expects keadm at the top of the tarball and is
// not verified; the command says so.
func LegacyURIMirror(uri string, r Region) (Mirror, error) {
	if r != "" && r != RegionZH && r != RegionEN {
		return Mirror{}, fmt.Errorf("region %q must be zh or en", string(r))
	}
	t, err := parseLegacyURI(uri)
	if err != nil {
		return Mirror{}, err
	}
	m := Mirror{name: hostOf(t), tarball: t, binary: mustParse(parsePathTemplate("keadm"))}
	if r == RegionZH {
		m.arch = builtinMirrors[MirrorKubeSphereZH].arch
	}
	return m, nil
}

// Name returns the built-in mirror's name, or the host a template downloads from.
func (m Mirror) Name() string {
	if m.isZero() {
		return MirrorKubeEdge
	}
	return m.name
}

// Verified reports whether the command checks the tarball against a sha512 checksum file before keadm runs.
func (m Mirror) Verified() bool {
	if m.isZero() {
		return true
	}
	return !m.checksum.isZero()
}

// isZero reports whether m is the zero Mirror.
func (m Mirror) isZero() bool { return m.tarball.isZero() }
