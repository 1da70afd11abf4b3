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

package dataplane

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// Backend selects the iptables variant: the system default, iptables-legacy or iptables-nft.
type Backend string

// The backends. Each selects a family of commands: iptables[-VARIANT], ip6tables[-VARIANT] and their -restore.
const (
	// BackendSystem uses the commands named iptables and ip6tables, whichever variant they are.
	BackendSystem Backend = ""
	// BackendLegacy uses iptables-legacy and ip6tables-legacy.
	BackendLegacy Backend = "legacy"
	// BackendNFT uses iptables-nft and ip6tables-nft.
	BackendNFT Backend = "nft"
)

// Valid reports whether b is one of the defined backends.
func (b Backend) Valid() bool {
	return b == BackendSystem || b == BackendLegacy || b == BackendNFT
}

// command returns the iptables command of family f for this backend, such as ip6tables-legacy.
func (b Backend) command(f forwarding.Family) string {
	base := "iptables"
	if f == forwarding.IPv6 {
		base = "ip6tables"
	}
	if b != BackendSystem {
		base += "-" + string(b)
	}
	return base
}

// parseMode returns the mode an `iptables --version` line reports: "nf_tables" or "legacy".
func parseMode(version []byte) string {
	if i := bytes.IndexByte(version, '('); i >= 0 {
		if j := bytes.IndexByte(version[i:], ')'); j > 0 {
			return string(version[i+1 : i+j])
		}
	}
	return "legacy"
}

// kubeletHintChains are the chains kubelet and kube-proxy create in table mangle of the backend the host uses.
var kubeletHintChains = []string{"KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY"}

// DetectBackend picks the backend the host's other users (kubelet, kube-proxy, CNI) program, the way
// kubernetes-sigs/iptables-wrappers does: the variant whose mangle table holds kubelet's hint chain, otherwise
// the variant with more rules, preferring nft on a tie. With only one variant installed it returns that one.
func DetectBackend(ctx context.Context, r Runner) (Backend, error) {
	var nft, legacy variantState
	nft.probe(ctx, r, BackendNFT)
	legacy.probe(ctx, r, BackendLegacy)
	return chooseBackend(nft, legacy)
}

// variantState is what DetectBackend learned about one iptables variant.
type variantState struct {
	present bool
	hint    bool
	rules   int
}

// probe reads the variant's tables for both families; a missing command leaves it absent.
func (v *variantState) probe(ctx context.Context, r Runner, b Backend) {
	for _, f := range []forwarding.Family{forwarding.IPv4, forwarding.IPv6} {
		out, err := r.Run(ctx, nil, b.command(f)+"-save")
		if err != nil {
			continue
		}
		v.present = true
		for line := range strings.Lines(string(out)) {
			if strings.HasPrefix(line, "-") {
				v.rules++
			}
			if strings.HasPrefix(line, ":") {
				for _, c := range kubeletHintChains {
					if strings.HasPrefix(line, ":"+c+" ") {
						v.hint = true
					}
				}
			}
		}
	}
}

// chooseBackend applies DetectBackend's rule to what was probed.
func chooseBackend(nft, legacy variantState) (Backend, error) {
	switch {
	case !nft.present && !legacy.present:
		return "", fmt.Errorf("neither iptables-nft-save nor iptables-legacy-save could be run")
	case !legacy.present:
		return BackendNFT, nil
	case !nft.present:
		return BackendLegacy, nil
	case nft.hint:
		return BackendNFT, nil
	case legacy.hint:
		return BackendLegacy, nil
	case legacy.rules > nft.rules:
		return BackendLegacy, nil
	}
	return BackendNFT, nil
}
