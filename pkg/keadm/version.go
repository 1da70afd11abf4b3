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
	"strconv"
)

const (
	// MinMinor is the oldest supported KubeEdge minor release (v1.6).
	MinMinor = 6
	// MaxMinor is the newest supported KubeEdge minor release (v1.23).
	MaxMinor = 23
	// lastMinorWithoutVPrefix is the last release whose keadm needs --kubeedge-version without "v".
	lastMinorWithoutVPrefix = 10
)

// versionPattern is a strict vMAJOR.MINOR.PATCH with no leading zeros and no pre-release or build suffix.
var versionPattern = regexp.MustCompile(`^v(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$`)

// Version is a KubeEdge release version within the supported range v1.6.0 to v1.23.x.
type Version struct {
	// Major is always 1 for a supported release.
	Major int
	// Minor is the minor release, MinMinor to MaxMinor.
	Minor int
	// Patch is the patch release.
	Patch int
}

// ParseVersion parses a strict vMAJOR.MINOR.PATCH and checks that it is a supported release.
func ParseVersion(s string) (Version, error) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a release version of the form vMAJOR.MINOR.PATCH (for example v1.23.1)", s)
	}
	var n [3]int
	for i := range n {
		v, err := strconv.Atoi(m[i+1])
		if err != nil {
			return Version{}, fmt.Errorf("%q: %w", s, err)
		}
		n[i] = v
	}
	v := Version{Major: n[0], Minor: n[1], Patch: n[2]}
	if v.Major != 1 || v.Minor < MinMinor || v.Minor > MaxMinor {
		return Version{}, fmt.Errorf("%s is outside the supported range v1.%d.0 to v1.%d.x", v, MinMinor, MaxMinor)
	}
	return v, nil
}

// String returns the version as vMAJOR.MINOR.PATCH.
func (v Version) String() string {
	return fmt.Sprintf("v%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// FlagValue returns the value this release's keadm expects for --kubeedge-version.
//
// keadm v1.6 – v1.10 pass the flag to blang/semver.MustParse, which rejects (panics on) a
// leading "v", so they get "1.9.2". From v1.11 keadm pulls kubeedge/installation-package:<tag>
// and its examples and docs use "v1.12.1", so those releases get the "v".
func (v Version) FlagValue() string {
	if v.Minor <= lastMinorWithoutVPrefix {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return v.String()
}

// AtLeast reports whether v is release v1.minor.0 or newer.
func (v Version) AtLeast(minor int) bool {
	return v.Minor >= minor
}
