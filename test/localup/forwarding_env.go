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
	"fmt"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/dataplane"
)

// forwardingBanner returns the banner's forwarding section, or the one line saying why the demo is off.
func forwardingBanner(env *runEnv) string {
	f := env.forwarding
	if f == nil {
		return fmt.Sprintf("\nForwarding demo is off: %s.\n", env.forwardingOff)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nForwarding: edgewatcher-syncer (%s) programs iptables and ipsets only inside network namespace %s;\n", f.backend, f.cpNetns)
	fmt.Fprintf(&b, "the cloudcore stand-in (plain HTTP; cloudcore's stream server is TLS) runs in %s:\n", f.ccNetns)
	for _, e := range f.edges {
		fmt.Fprintf(&b, "  ip netns exec %s curl -s %s\n", f.cpNetns, e.url)
		fmt.Fprintf(&b, "      # %s: %s\n", e.node, e.answer)
	}
	fmt.Fprintf(&b, "  ip netns exec %s iptables -t nat -S %s\n", f.cpNetns, dataplane.ChainName)
	fmt.Fprintf(&b, "  ip netns exec %s ipset list -t\n", f.cpNetns)
	fmt.Fprintf(&b, "  curl -s http://%s/metrics | grep -E '^edgewatcher_syncer_(edge_nodes|forwarded_nodes|rules_programmed)'\n", f.syncerAddr)
	return b.String()
}
