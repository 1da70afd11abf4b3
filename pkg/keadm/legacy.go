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
	"strings"
)

// Region is the old edge-watcher-config key that chose between KubeSphere's two mirrors.
type Region string

// Regions of the legacy console command (see RegionMirror).
const (
	RegionZH Region = "zh"
	RegionEN Region = "en"
)

// archRef is the only shell expansion a download URL or path may contain: the architecture variable.
const archRef = "\"$arch\""

// uriChars are the characters RFC 3986 allows in a URI, except '$'; everything else is refused.
const uriChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!&'()*+,;=%"

// checksumProgram turns the checksum file (bare hex, or "hex  name") into the one line `sha512sum -c`
// reads. It prints a line even for an empty file, so that every sha512sum (busybox's too, which accepts
// empty input) fails instead of checking nothing.
const checksumProgram = `NR == 1 { h = $1 } END { print h "  " f }`

// LegacyParams is the input of RenderLegacy.
type LegacyParams struct {
	// Version is the KubeEdge release of the keadm tarball, strict vMAJOR.MINOR.PATCH.
	Version string
	// Mirror is where keadm comes from; the zero Mirror is KubeEdge's releases.
	Mirror Mirror
	// Args are keadm's arguments, for example Command.Argv[1:] ("join", "--cloudcore-ipport=...", ...).
	Args []string
}

// RenderLegacy renders the console one-liner: map the machine's architecture, download the keadm tarball,
// verify it against the mirror's sha512 checksum file, unpack it and run the keadm inside with Args.
//
// It is one line of POSIX shell, joined by "&&" so that any failure stops it before keadm runs: an
// unsupported architecture before anything is downloaded, an HTTP error (curl -f), a checksum mismatch
// before tar. A mirror without a checksum prints a warning on stderr first. The only shell expansions are
// the fixed `arch=$(uname -m)` prelude and "$arch"; every other word is validated and quoted with Quote.
func RenderLegacy(p LegacyParams) (string, error) {
	v, err := ParseVersion(p.Version)
	if err != nil {
		return "", &FieldError{Field: "version", Err: err}
	}
	m := p.Mirror
	if m.isZero() {
		m = DefaultMirror()
	}
	if len(p.Args) == 0 {
		return "", &FieldError{Field: "args", Err: errors.New("no keadm arguments")}
	}
	args, err := ShellJoin(p.Args)
	if err != nil {
		return "", &FieldError{Field: "args", Err: err}
	}
	stem := "keadm-" + v.String() + "-linux-"
	tarball := Quote(stem) + archRef + Quote(".tar.gz")
	keadm := template{parts: append([]templatePart{{text: "./"}}, m.binary.parts...)}.word(v)

	var b strings.Builder
	b.WriteString(archPrelude(m.arch))
	if !m.Verified() {
		warning := "keadm download: WARNING: the keadm tarball from " + m.Name() + " is not verified: no checksum is configured for this mirror"
		b.WriteString(` && printf '%s\n' ` + Quote(warning) + " >&2")
	}
	b.WriteString(" && curl -fLo " + tarball + " " + m.tarball.word(v))
	if m.Verified() {
		sums := Quote("checksum_"+stem) + archRef + Quote(".tar.gz.txt")
		b.WriteString(" && curl -fLo " + sums + " " + m.checksum.word(v))
		b.WriteString(" && awk -v " + Quote("f="+stem) + archRef + Quote(".tar.gz") + " " + Quote(checksumProgram) + " " + sums +
			" | sha512sum -c -")
	}
	b.WriteString(" && tar -xzf " + tarball + " && chmod +x " + keadm + " && " + keadm + " " + args)
	return b.String(), nil
}

// splitArchRefs splits uri at each $arch or ${arch}; any other '$' or non-URI character is refused.
func splitArchRefs(uri string) ([]string, error) {
	var literals []string
	var cur strings.Builder
	for i := 0; i < len(uri); {
		rest := uri[i:]
		switch {
		case strings.HasPrefix(rest, "${arch}"):
			literals, i = append(literals, cur.String()), i+len("${arch}")
			cur.Reset()
		case strings.HasPrefix(rest, "$arch"):
			if len(rest) > len("$arch") && isNameChar(rest[len("$arch")]) {
				return nil, fmt.Errorf("%q: only $arch or ${arch} may be expanded", uri)
			}
			literals, i = append(literals, cur.String()), i+len("$arch")
			cur.Reset()
		case rest[0] == '$':
			return nil, fmt.Errorf("%q: only $arch or ${arch} may be expanded", uri)
		case strings.IndexByte(uriChars, rest[0]) < 0:
			return nil, fmt.Errorf("%q: character %q is not allowed in a URI", uri, rest[0])
		default:
			cur.WriteByte(rest[0])
			i++
		}
	}
	return append(literals, cur.String()), nil
}

// isNameChar reports whether c may continue a shell variable name.
func isNameChar(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
