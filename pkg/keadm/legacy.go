package keadm

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Region selects the download mirror of the legacy KubeSphere console command.
type Region string

// Regions of the legacy console command (kubesphere-contract §1).
const (
	RegionZH Region = "zh"
	RegionEN Region = "en"
)

// maxLegacyURILength bounds the download URI taken from the edge-watcher-config ConfigMap.
const maxLegacyURILength = 2048

// archRef is the only shell expansion a download URI may contain: the architecture variable.
const archRef = "\"$arch\""

// uriChars are the characters RFC 3986 allows in a URI; everything else is refused.
const uriChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!&'()*+,;=%"

// LegacyParams is the input of RenderLegacy.
type LegacyParams struct {
	// Version is the KubeEdge release of the keadm tarball, strict vMAJOR.MINOR.PATCH.
	Version string
	// Region picks the default mirror: zh (QingStor) or en (GitHub, kubesphere/kubeedge).
	Region Region
	// URI overrides the mirror (edge-watcher-config "uri"); it may contain $arch or ${arch}.
	URI string
	// Args are keadm's arguments, for example Command.Argv[1:] ("join", "--cloudcore-ipport=...", ...).
	Args []string
}

// RenderLegacy renders the legacy console one-liner: detect the architecture, download and
// unpack keadm, then run ./keadm with Args.
//
// The layout follows kubesphere-contract §1, with two deliberate fixes: the architecture
// test is POSIX ("=" inside "[ ]", quoted "$arch") and the en branch also maps aarch64 to
// arm64; and curl gets -f so an HTTP error stops the chain. The only shell expansions in the
// result are the fixed `arch=$(uname -m)` prelude and "$arch"; every other word is validated
// and quoted with Quote.
func RenderLegacy(p LegacyParams) (string, error) {
	v, err := ParseVersion(p.Version)
	if err != nil {
		return "", &FieldError{Field: "version", Err: err}
	}
	var prelude string
	switch p.Region {
	case RegionZH:
		prelude = `arch=$(uname -m); `
	case RegionEN:
		prelude = `arch=$(uname -m); if [ "$arch" = x86_64 ]; then arch=amd64; elif [ "$arch" = aarch64 ]; then arch=arm64; fi; `
	default:
		return "", &FieldError{Field: "region", Err: fmt.Errorf("%q must be zh or en", string(p.Region))}
	}
	uri := p.URI
	if uri == "" {
		uri = defaultLegacyURI(v, p.Region)
	}
	uriWord, err := legacyURIWord(uri)
	if err != nil {
		return "", &FieldError{Field: "uri", Err: err}
	}
	if len(p.Args) == 0 {
		return "", &FieldError{Field: "args", Err: errors.New("no keadm arguments")}
	}
	args, err := ShellJoin(p.Args)
	if err != nil {
		return "", &FieldError{Field: "args", Err: err}
	}
	tarball := Quote("keadm-"+v.String()+"-linux-") + archRef + Quote(".tar.gz")
	return prelude + "curl -fLO " + uriWord + " && tar xvf " + tarball +
		" && chmod +x keadm && ./keadm " + args, nil
}

// defaultLegacyURI is the legacy mirror for region, with $arch placeholders.
func defaultLegacyURI(v Version, region Region) string {
	if region == RegionZH {
		return "https://kubeedge.pek3b.qingstor.com/bin/" + v.String() + "/$arch/keadm-" + v.String() + "-linux-$arch.tar.gz"
	}
	return "https://github.com/kubesphere/kubeedge/releases/download/" + v.String() + "-kubesphere/keadm-" + v.String() + "-linux-$arch.tar.gz"
}

// legacyURIWord validates a download URI and renders it as one shell word in which only
// "$arch" expands.
func legacyURIWord(uri string) (string, error) {
	if len(uri) > maxLegacyURILength {
		return "", fmt.Errorf("longer than %d characters", maxLegacyURILength)
	}
	literals, err := splitArchRefs(uri)
	if err != nil {
		return "", err
	}
	if err := checkLegacyURL(strings.Join(literals, "amd64"), strings.Join(literals, "arm64")); err != nil {
		return "", fmt.Errorf("%q: %w", uri, err)
	}
	var b strings.Builder
	for i, lit := range literals {
		if i > 0 {
			b.WriteString(archRef)
		}
		if lit != "" {
			b.WriteString(Quote(lit))
		}
	}
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

// checkLegacyURL checks the URI, expanded for two architectures, is an http(s) URL without
// credentials whose host does not depend on the architecture.
func checkLegacyURL(amd64, arm64 string) error {
	u, err := url.Parse(amd64)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return errors.New("scheme must be https or http")
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" {
		return errors.New("must be an absolute URL with a host and no user information")
	}
	v, err := url.Parse(arm64)
	if err != nil || v.Host != u.Host {
		return errors.New("the host must not depend on $arch")
	}
	return nil
}
