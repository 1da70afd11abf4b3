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
	"regexp"
	"strings"
)

// Arch is a CPU architecture as KubeEdge names it in its release assets (Go's GOARCH).
type Arch string

// Architectures KubeEdge publishes keadm for (kubeedge/kubeedge@v1.23.1: hack/make-rules/release.sh, `release`).
const (
	ArchAMD64 Arch = "amd64"
	ArchARM64 Arch = "arm64"
	ArchARM   Arch = "arm"
)

// machines maps the `uname -m` outputs the console command accepts to an Arch, in the order the shell tests them.
var machines = []struct {
	unames []string
	arch   Arch
}{
	{[]string{"x86_64"}, ArchAMD64},
	{[]string{"aarch64", "arm64"}, ArchARM64},
	{[]string{"armv7l"}, ArchARM},
}

// archNamePattern is how a mirror may spell an architecture: a short token that is safe in a URL, a file
// name and a shell assignment.
var archNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// archNames spells each Arch as a mirror names it in its URLs and paths; an Arch it leaves out keeps KubeEdge's name.
type archNames map[Arch]string

// name returns how n spells a.
func (n archNames) name(a Arch) string {
	if s, ok := n[a]; ok {
		return s
	}
	return string(a)
}

// validate checks every spelling is a plain token.
func (n archNames) validate() error {
	for a, s := range n {
		if !archNamePattern.MatchString(s) {
			return fmt.Errorf("architecture %s spelled %q: want letters, digits, '_', '.' or '-'", a, s)
		}
	}
	return nil
}

// machineNames lists the `uname -m` outputs the console command supports, in the order it tests them.
func machineNames() []string {
	var out []string
	for _, m := range machines {
		out = append(out, m.unames...)
	}
	return out
}

// archPrelude renders the start of the console command: it sets $arch to the mirror's spelling of the
// machine's architecture, or prints the supported ones on stderr and ends with a failure, so that nothing
// after the following "&&" runs. It never calls exit, which would close the shell the line was pasted into.
//
// The only expansions are $(uname -m) and "$arch"; the spellings are validated tokens, quoted anyway.
func archPrelude(names archNames) string {
	var b strings.Builder
	b.WriteString(`arch=$(uname -m) && case "$arch" in `)
	for _, m := range machines {
		for i, u := range m.unames {
			if i > 0 {
				b.WriteByte('|')
			}
			b.WriteString(Quote(u))
		}
		b.WriteString(") arch=" + Quote(names.name(m.arch)) + ";; ")
	}
	msg := "keadm download: unsupported machine architecture %s (supported: " + strings.Join(machineNames(), ", ") + ")\\n"
	b.WriteString(`*) printf ` + Quote(msg) + ` "$arch" >&2; false;; esac`)
	return b.String()
}
