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

package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/edgewatcher/edgewatcher/test/framework"
	"github.com/edgewatcher/edgewatcher/test/netns"
)

// The forwarding demo's network: two private namespaces joined by a veth pair. Nothing is added to the host's
// own namespace: no link, address, route, iptables rule or ipset.
const (
	// defaultNetnsPrefix starts the names of the demo's namespaces: <prefix>-cp and <prefix>-cc.
	defaultNetnsPrefix = "edgewatcher-run"
	// syncerNodeName is the syncer's --node-name: the control-plane host, which has no Node of its own.
	syncerNodeName = "localup-cp"
	// exampleEdgePath is the kubelet path of the example edge URL (a container's logs).
	exampleEdgePath = "/containerLogs/default/demo/demo"
)

// The veth pair's ends (benchmarking range, RFC 2544): the control-plane host's and the stand-in's, which is also
// the syncer's --default-target.
var (
	cpVeth = netip.MustParsePrefix("198.18.0.1/30")
	ccVeth = netip.MustParsePrefix("198.18.0.2/30")
)

// forwardingInfo is what the env file and the banner show of a running demo.
type forwardingInfo struct {
	cpNetns, ccNetns string
	// syncerAddr serves the syncer's /metrics and health checks.
	syncerAddr string
	// backend is the iptables variant the syncer programs.
	backend string
	// edges are the forwarded demo edge nodes, sorted by name.
	edges []edgeEndpoint
}

// edgeEndpoint is one forwarded edge node and what the stand-in answered for it at start-up.
type edgeEndpoint struct {
	node, url, answer string
}

// forwardingDemo is the running demo: namespaces, stand-in and syncer. stop tears down whatever was started.
type forwardingDemo struct {
	info      *forwardingInfo
	cpNS      *netns.Namespace
	ccNS      *netns.Namespace
	standIn   *standIn
	syncerBin string
	syncer    *framework.Process
}

// startForwarding starts the demo, or returns why it is off. A set-up failure is logged and turns the demo off;
// only an interruption (ctx ended) is returned as an error.
func startForwarding(ctx context.Context, cp *framework.ControlPlane, root, binDir, prefix string) (*forwardingDemo, string, error) {
	if why := forwardingUnavailable(); why != "" {
		return nil, why, nil
	}
	prefix = cmp.Or(prefix, defaultNetnsPrefix)
	d := &forwardingDemo{info: &forwardingInfo{cpNetns: prefix + "-cp", ccNetns: prefix + "-cc"}}
	err := d.setUp(ctx, cp, root, binDir)
	if err == nil {
		return d, "", nil
	}
	if stopErr := d.stop(); stopErr != nil {
		logf("forwarding demo: tearing down: %v", stopErr)
	}
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
	}
	logf("forwarding demo: %v", err)
	return nil, "setting it up failed (see the error above)", nil
}

// forwardingUnavailable says why this machine cannot run the demo, or returns "".
func forwardingUnavailable() string {
	if euid := os.Geteuid(); euid != 0 {
		return fmt.Sprintf("network namespaces and iptables need root (euid %d); run `make run` as root for it", euid)
	}
	var missing []string
	for _, c := range []string{"ip", "iptables", "ipset"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("commands not found: %s (hack/install-deps.sh installs them)", strings.Join(missing, ", "))
	}
	return ""
}

// setUp builds the network, starts the stand-in and the syncer, and checks every demo edge URL once.
func (d *forwardingDemo) setUp(ctx context.Context, cp *framework.ControlPlane, root, binDir string) error {
	var err error
	if d.syncerBin, err = syncerBinary(root, binDir); err != nil {
		return err
	}
	cloudcores, err := recordedCloudCores(ctx, cp.Client())
	if err != nil {
		return err
	}
	ccLink, err := d.createNetwork()
	if err != nil {
		return err
	}
	listen := []netip.AddrPort{netip.AddrPortFrom(ccVeth.Addr(), streamPort)}
	for _, ip := range cloudcores {
		if _, err := d.ccNS.Run("ip", "address", "add", netip.PrefixFrom(ip, ip.BitLen()).String(), "dev", ccLink); err != nil {
			return err
		}
		listen = append(listen, netip.AddrPortFrom(ip, streamPort))
	}
	if d.standIn, err = startStandIn(d.ccNS, listen); err != nil {
		return err
	}
	logf("cloudcore stand-in listens on %v in network namespace %s", listen, d.ccNS.Name)
	kubeconfig, err := syncerKubeconfig(ctx, cp, root)
	if err != nil {
		return err
	}
	if err := d.startSyncer(ctx, kubeconfig, cp.Dir); err != nil {
		return err
	}
	if d.info.edges, err = edgeEndpoints(ctx, cp.Client()); err != nil {
		return err
	}
	return d.check(ctx)
}

// createNetwork deletes stale namespaces of the same names, creates both, joins them, and routes everything
// from the control-plane host's namespace to the stand-in's. It returns the stand-in's end of the pair.
func (d *forwardingDemo) createNetwork() (string, error) {
	for _, name := range []string{d.info.cpNetns, d.info.ccNetns} {
		if stale := (&netns.Namespace{Name: name}); stale.Exists() {
			logf("deleting stale network namespace %s", name)
			if err := stale.Delete(); err != nil {
				return "", err
			}
		}
	}
	var err error
	if d.cpNS, err = netns.Create(d.info.cpNetns); err != nil {
		return "", err
	}
	if d.ccNS, err = netns.Create(d.info.ccNetns); err != nil {
		return "", err
	}
	_, ccLink, err := netns.Link(d.cpNS, d.ccNS, cpVeth, ccVeth)
	if err != nil {
		return "", err
	}
	// The edge IPs need a route before nat OUTPUT rewrites them; after it, the cloudcore IPs need one too.
	if _, err := d.cpNS.Run("ip", "route", "add", "default", "via", ccVeth.Addr().String()); err != nil {
		return "", err
	}
	logf("created network namespaces %s (%s) and %s (%s)", d.cpNS.Name, cpVeth, d.ccNS.Name, ccVeth)
	return ccLink, nil
}

// stop stops the syncer, removes its rules and sets, stops the stand-in and deletes both namespaces.
func (d *forwardingDemo) stop() error {
	var errs []error
	if d.syncer != nil {
		errs = append(errs, d.syncer.Stop(10*time.Second))
	}
	if d.cpNS != nil && d.cpNS.Exists() && d.syncerBin != "" {
		errs = append(errs, d.cleanup())
	}
	if d.standIn != nil {
		errs = append(errs, d.standIn.close())
	}
	for _, ns := range []*netns.Namespace{d.cpNS, d.ccNS} {
		if ns != nil && ns.Exists() {
			errs = append(errs, ns.Delete())
		}
	}
	err := errors.Join(errs...)
	if err == nil && d.cpNS != nil {
		logf("forwarding demo stopped: ran edgewatcher-syncer cleanup and deleted network namespaces %s and %s", d.info.cpNetns, d.info.ccNetns)
	}
	return err
}

// cleanup runs `edgewatcher-syncer cleanup` inside the control-plane host's namespace.
func (d *forwardingDemo) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, d.syncerBin, "cleanup", "--netns="+d.cpNS.Name).CombinedOutput()
	if err != nil {
		return fmt.Errorf("edgewatcher-syncer cleanup --netns=%s: %w\n%s", d.cpNS.Name, err, strings.TrimSpace(string(out)))
	}
	return nil
}
