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
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// setInfo is the header of one ipset, as `ipset list -t` prints it.
type setInfo struct {
	typ     string
	family  string
	maxElem int
	// entries is the number of entries, when counted is true: the header held a count that parses as one.
	entries int
	counted bool
}

// listSets returns the headers of every set EdgeWatcher owns, by name.
func listSets(ctx context.Context, r Runner) (map[string]setInfo, error) {
	out, err := r.Run(ctx, nil, "ipset", "list", "-t")
	if err != nil {
		return nil, err
	}
	return parseSetHeaders(string(out)), nil
}

// parseSetHeaders parses `ipset list -t` output, keeping only the sets EdgeWatcher owns.
func parseSetHeaders(out string) map[string]setInfo {
	sets := map[string]setInfo{}
	name := ""
	var info setInfo
	flush := func() {
		if familyOfSetName(name) != 0 {
			sets[name] = info
		}
		name, info = "", setInfo{}
	}
	for line := range strings.Lines(out) {
		key, value, _ := strings.Cut(strings.TrimSpace(line), ":")
		value = strings.TrimSpace(value)
		switch key {
		case "Name":
			flush()
			name = value
		case "Type":
			info.typ = value
		case "Header":
			fields := strings.Fields(value)
			for i := 0; i+1 < len(fields); i++ {
				switch fields[i] {
				case "family":
					info.family = fields[i+1]
				case "maxelem":
					info.maxElem, _ = strconv.Atoi(fields[i+1])
				}
			}
		case "Number of entries":
			if n, err := strconv.Atoi(value); err == nil && n >= 0 {
				info.entries, info.counted = n, true
			}
		}
	}
	flush()
	return sets
}

// matches reports whether a live set has the type and family the target set needs, and so can be swapped.
func (i setInfo) matches(ts targetSet) bool {
	want := "inet"
	if ts.family == forwarding.IPv6 {
		want = "inet6"
	}
	return i.typ == "hash:ip,port" && i.family == want
}

// restoreSets runs `ipset -exist restore` with script.
func restoreSets(ctx context.Context, r Runner, script []byte) error {
	_, err := r.Run(ctx, script, "ipset", "-exist", "restore")
	return err
}

// destroySet destroys one set.
func destroySet(ctx context.Context, r Runner, name string) error {
	_, err := r.Run(ctx, nil, "ipset", "destroy", name)
	return err
}

// isSetInUse reports whether err is ipset refusing to destroy a set a rule still references. With iptables-nft
// the reference can outlive the rule briefly, so callers retry later.
func isSetInUse(err error) bool {
	var ce *CommandError
	return errors.As(err, &ce) && strings.Contains(ce.Stderr, "in use by a kernel component")
}

// isSetMissing reports whether err is ipset saying a set does not exist.
func isSetMissing(err error) bool {
	var ce *CommandError
	return errors.As(err, &ce) && strings.Contains(ce.Stderr, "does not exist")
}
