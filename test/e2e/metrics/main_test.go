// Package metrics proves end to end that edgewatcher-syncer fixes `kubectl logs` and `kubectl top node` for edge
// nodes. A "control-plane host" network namespace runs real etcd, kube-apiserver, metrics-server and
// edgewatcher-syncer; two further namespaces stand in for cloudcore's stream server. The edge nodes' InternalIPs
// are routed into a silent link, as on a real cloud host, so only the syncer's DNAT makes them reachable. The
// host's own iptables are never touched (TestMain checks that no trace of the syncer appears there).
package metrics

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

// syncerBinEnv names the environment variable that points at a prebuilt edgewatcher-syncer.
const syncerBinEnv = "EDGEWATCHER_SYNCER_BIN"

var (
	syncerBin        string
	metricsServerBin string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := prerequisites(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "e2e/metrics: CI is set and this is required: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "e2e/metrics: SKIPPING the logs and metrics end-to-end test: %v (set CI=1 to make this a failure)\n", err)
		return 0
	}
	before, err := hostTrace()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/metrics: reading the host's nat table and ipsets: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "edgewatcher-metrics-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e/metrics: %v\n", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if syncerBin, err = buildSyncer(dir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e/metrics: %v\n", err)
		return 1
	}
	code := m.Run()
	after, err := hostTrace()
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "e2e/metrics: reading the host's nat table and ipsets: %v\n", err)
		code = 1
	case after != before:
		fmt.Fprintf(os.Stderr, "e2e/metrics: the host's own namespace changed:\nbefore: %q\nafter:  %q\n", before, after)
		code = 1
	}
	return code
}

// prerequisites reports why the test cannot run here: missing binaries, not root, or missing kernel tools.
func prerequisites() error {
	if err := framework.CheckBinaries(); err != nil {
		return err
	}
	var err error
	if metricsServerBin, err = framework.BinPath("metrics-server"); err != nil {
		return err
	}
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

// hostTrace returns what of the syncer's objects the host's own namespace holds: lines of its nat tables naming
// our chain or jump comment, and our ipsets. It only reads.
func hostTrace() (string, error) {
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

// buildSyncer returns $EDGEWATCHER_SYNCER_BIN, or builds ./cmd/edgewatcher-syncer into dir.
func buildSyncer(dir string) (string, error) {
	if p := os.Getenv(syncerBinEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("%s=%s: %w", syncerBinEnv, p, err)
		}
		return abs, nil
	}
	root, err := framework.RepoRoot()
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
