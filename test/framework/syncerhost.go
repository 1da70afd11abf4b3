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
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
)

// SyncerBinEnv names the environment variable that points at a prebuilt edgewatcher-syncer.
const SyncerBinEnv = "EDGEWATCHER_SYNCER_BIN"

// CheckNetnsTools reports why network-namespace tests cannot run here: not root, or missing commands.
func CheckNetnsTools() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("network-namespace tests need root (euid %d)", os.Geteuid())
	}
	var missing []string
	for _, c := range []string{"ip", "ipset", "iptables-nft", "iptables-nft-save", "ip6tables-nft-save", "go"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("commands not found: %s (hack/install-deps.sh installs them)", strings.Join(missing, ", "))
	}
	return nil
}

// HostForwardingTrace returns what of the syncer's objects the host's own namespace holds: lines of its nat
// tables naming our chain or jump comment, and our ipsets. It only reads: the nf_tables dumps and
// `ipset list -n`. Tests compare it before and after to prove they left the host alone.
func HostForwardingTrace() (string, error) {
	var lines []string
	for _, save := range []string{"iptables-nft-save", "ip6tables-nft-save"} {
		out, err := exec.Command(save, "-t", "nat").Output()
		if err != nil {
			return "", fmt.Errorf("%s -t nat: %w", save, err)
		}
		for l := range strings.Lines(string(out)) {
			if strings.Contains(l, dataplane.ChainName) || strings.Contains(l, dataplane.JumpComment) {
				lines = append(lines, save+": "+strings.TrimSpace(l))
			}
		}
	}
	out, err := exec.Command("ipset", "list", "-n").Output()
	if err != nil {
		return "", fmt.Errorf("ipset list -n: %w", err)
	}
	for l := range strings.Lines(string(out)) {
		if strings.HasPrefix(l, dataplane.SetPrefix) {
			lines = append(lines, "ipset: "+strings.TrimSpace(l))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// SyncerBinary returns $EDGEWATCHER_SYNCER_BIN, or builds ./cmd/edgewatcher-syncer into dir.
func SyncerBinary(dir string) (string, error) {
	if p := os.Getenv(SyncerBinEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("%s=%s: %w", SyncerBinEnv, p, err)
		}
		return abs, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "edgewatcher-syncer")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/edgewatcher-syncer")
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", errors.New("go build ./cmd/edgewatcher-syncer: " + err.Error() + "\n" + strings.TrimSpace(string(output)))
	}
	return out, nil
}
