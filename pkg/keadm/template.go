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
	"net/url"
	"strings"
)

// Placeholders of a template.
const (
	placeholderVersion = "{version}"
	placeholderArch    = "{arch}"
)

// Length limits of templates, well above any real value.
const (
	// maxTemplateURLLength bounds a URL template, as it bounded the old uri key.
	maxTemplateURLLength = 2048
	// maxTemplatePathLength bounds the path of keadm inside a tarball.
	maxTemplatePathLength = 256
)

// pathChars are the characters of a path inside a tarball, besides the placeholders.
const pathChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._+/"

// template is a URL or a path in which {version} stands for the KubeEdge release and {arch} for the
// mirror's spelling of the edge's architecture, which only the edge knows.
type template struct {
	raw   string
	parts []templatePart
}

// templatePart is literal text or one placeholder.
type templatePart struct {
	text        string
	placeholder string
}

// isZero reports whether t is the empty template.
func (t template) isZero() bool { return t.raw == "" }

// parseTemplate splits s at its placeholders. Every other byte must be in allowed; a '$' gets a hint,
// because the old uri key wrote the architecture as $arch.
func parseTemplate(s, allowed string, maxLen int) (template, error) {
	if s == "" {
		return template{}, errors.New("empty")
	}
	if len(s) > maxLen {
		return template{}, fmt.Errorf("longer than %d characters", maxLen)
	}
	t := template{raw: s}
	var lit strings.Builder
	for i := 0; i < len(s); {
		rest := s[i:]
		var ph string
		switch {
		case strings.HasPrefix(rest, placeholderVersion):
			ph = placeholderVersion
		case strings.HasPrefix(rest, placeholderArch):
			ph = placeholderArch
		case rest[0] == '{' || rest[0] == '}':
			return template{}, fmt.Errorf("%q: only {version} and {arch} may stand in braces", s)
		case rest[0] == '$':
			return template{}, fmt.Errorf("%q: nothing is expanded but {version} and {arch}; percent-encode a literal '$'", s)
		case strings.IndexByte(allowed, rest[0]) < 0:
			return template{}, fmt.Errorf("%q: character %q is not allowed", s, rest[0])
		default:
			lit.WriteByte(rest[0])
			i++
			continue
		}
		if lit.Len() > 0 {
			t.parts = append(t.parts, templatePart{text: lit.String()})
			lit.Reset()
		}
		t.parts = append(t.parts, templatePart{placeholder: ph})
		i += len(ph)
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, templatePart{text: lit.String()})
	}
	return t, nil
}

// parseURLTemplate parses an http or https URL template with {version} and {arch} placeholders, as
// characters RFC 3986 allows, without user information, and whose scheme and host do not depend on the
// placeholders.
func parseURLTemplate(s string) (template, error) {
	t, err := parseTemplate(s, uriChars, maxTemplateURLLength)
	if err != nil {
		return template{}, err
	}
	if err := t.checkURL(); err != nil {
		return template{}, fmt.Errorf("%q: %w", s, err)
	}
	return t, nil
}

// parseLegacyURI parses the old uri key: a URL whose only expansion is $arch or ${arch}.
func parseLegacyURI(uri string) (template, error) {
	if len(uri) > maxTemplateURLLength {
		return template{}, fmt.Errorf("longer than %d characters", maxTemplateURLLength)
	}
	literals, err := splitArchRefs(uri)
	if err != nil {
		return template{}, err
	}
	t := template{raw: uri}
	for i, lit := range literals {
		if i > 0 {
			t.parts = append(t.parts, templatePart{placeholder: placeholderArch})
		}
		if lit != "" {
			t.parts = append(t.parts, templatePart{text: lit})
		}
	}
	if err := t.checkURL(); err != nil {
		return template{}, fmt.Errorf("%q: %w", uri, err)
	}
	return t, nil
}

// parsePathTemplate parses a relative path of plain segments (no empty, "." or ".." segment) with
// {version} and {arch} placeholders.
func parsePathTemplate(s string) (template, error) {
	t, err := parseTemplate(s, pathChars, maxTemplatePathLength)
	if err != nil {
		return template{}, err
	}
	for _, seg := range strings.Split(s, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return template{}, fmt.Errorf("%q: must be a relative path without empty, \".\" or \"..\" segments", s)
		}
	}
	return t, nil
}

// checkURL checks t, expanded for two different versions and architectures, is an absolute http(s) URL
// without user information whose scheme and host are the same in both.
func (t template) checkURL() error {
	a := t.expand(Version{Major: 1, Minor: MinMinor}, "amd64")
	b := t.expand(Version{Major: 1, Minor: MaxMinor, Patch: 1}, "x86_64")
	return checkURLPair(a, b)
}

// expand substitutes v and the architecture spelling arch.
func (t template) expand(v Version, arch string) string {
	var b strings.Builder
	for _, p := range t.parts {
		switch p.placeholder {
		case placeholderVersion:
			b.WriteString(v.String())
		case placeholderArch:
			b.WriteString(arch)
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// word renders t for v as one shell word in which only "$arch" expands.
func (t template) word(v Version) string {
	var b, run strings.Builder
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(Quote(run.String()))
			run.Reset()
		}
	}
	for _, p := range t.parts {
		switch p.placeholder {
		case placeholderVersion:
			run.WriteString(v.String())
		case placeholderArch:
			flush()
			b.WriteString(archRef)
		default:
			run.WriteString(p.text)
		}
	}
	flush()
	return b.String()
}

// siblingChecksum is KubeEdge's checksum file next to a tarball: checksum_<file name>.txt in the same
// directory. It is only derived for a template without query or fragment.
func siblingChecksum(tarball template) (template, error) {
	raw := tarball.raw
	if strings.ContainsAny(raw, "?#") {
		return template{}, errors.New("a mirror URL with a query or fragment needs an explicit checksum URL template")
	}
	u, err := url.Parse(tarball.expand(Version{Major: 1, Minor: MaxMinor}, "amd64"))
	if err != nil || u.Path == "" || strings.HasSuffix(raw, "/") {
		return template{}, errors.New("the mirror URL does not end in a file, so its checksum file cannot be derived")
	}
	dir, file := raw[:strings.LastIndexByte(raw, '/')+1], raw[strings.LastIndexByte(raw, '/')+1:]
	return parseURLTemplate(dir + "checksum_" + file + ".txt")
}

// checkURLPair checks a URL, expanded two different ways, is an http(s) URL without credentials whose
// scheme and host are the same both ways.
func checkURLPair(a, b string) error {
	u, err := url.Parse(a)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return errors.New("scheme must be https or http")
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" {
		return errors.New("must be an absolute URL with a host and no user information")
	}
	v, err := url.Parse(b)
	if err != nil || v.Host != u.Host || v.Scheme != u.Scheme || v.User != nil {
		return errors.New("the scheme and host must not depend on the version or the architecture")
	}
	return nil
}
