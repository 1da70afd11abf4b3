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

package join

import (
	"errors"
	"fmt"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// Keys of kubeedge/edge-watcher-config that choose where the console command downloads keadm. mirror,
// mirrorChecksum and mirrorBinary mirror the --keadm-mirror flags; region and uri are KubeSphere's old keys.
const (
	legacyRegionKey         = "region"
	legacyURIKey            = "uri"
	legacyMirrorKey         = "mirror"
	legacyMirrorChecksumKey = "mirrorChecksum"
	legacyMirrorBinaryKey   = "mirrorBinary"
)

// mirrorSpecKeys names the ConfigMap key of each keadm.MirrorSpec field, as ParseMirror's FieldErrors name them.
var mirrorSpecKeys = map[string]string{"mirror": legacyMirrorKey, "checksum": legacyMirrorChecksumKey, "binary": legacyMirrorBinaryKey}

// consoleMirror reads the download mirror from edge-watcher-config data; ok is false when the data names
// none, and the server's flags decide. An empty value counts as absent, as KubeSphere's documented
// `uri: ""` did. defaultRegion spells $arch in a uri when the data names no region.
//
// The new keys replace the flags as a whole and may not be mixed with the old ones, so that one ConfigMap
// never describes two mirrors.
func consoleMirror(data map[string]string, defaultRegion keadm.Region) (m keadm.Mirror, ok bool, err error) {
	region, hasRegion := data[legacyRegionKey]
	if hasRegion && region != string(keadm.RegionZH) && region != string(keadm.RegionEN) {
		return keadm.Mirror{}, false, fmt.Errorf("key %s: %q must be zh or en", legacyRegionKey, region)
	}
	uri := data[legacyURIKey]
	spec := keadm.MirrorSpec{Mirror: data[legacyMirrorKey], Checksum: data[legacyMirrorChecksumKey], Binary: data[legacyMirrorBinaryKey]}
	switch {
	case spec != keadm.MirrorSpec{}:
		if err := newKeysAlone(spec, uri, hasRegion); err != nil {
			return keadm.Mirror{}, false, err
		}
		m, err := keadm.ParseMirror(spec)
		if err != nil {
			var fe *keadm.FieldError
			if errors.As(err, &fe) {
				return keadm.Mirror{}, false, fmt.Errorf("key %s: %w", mirrorSpecKeys[fe.Field], fe.Err)
			}
			return keadm.Mirror{}, false, fmt.Errorf("key %s: %w", legacyMirrorKey, err)
		}
		return m, true, nil
	case uri != "":
		r := defaultRegion
		if hasRegion {
			r = keadm.Region(region)
		}
		m, err := keadm.LegacyURIMirror(uri, r)
		if err != nil {
			return keadm.Mirror{}, false, fmt.Errorf("key %s: %w", legacyURIKey, err)
		}
		return m, true, nil
	case hasRegion:
		m, err := keadm.RegionMirror(keadm.Region(region))
		if err != nil {
			return keadm.Mirror{}, false, fmt.Errorf("key %s: %w", legacyRegionKey, err)
		}
		return m, true, nil
	}
	return keadm.Mirror{}, false, nil
}

// newKeysAlone refuses a mirror spec that lacks its mirror key or is mixed with the old keys.
func newKeysAlone(spec keadm.MirrorSpec, uri string, hasRegion bool) error {
	switch {
	case spec.Mirror == "" && spec.Checksum != "":
		return fmt.Errorf("key %s: needs key %s", legacyMirrorChecksumKey, legacyMirrorKey)
	case spec.Mirror == "":
		return fmt.Errorf("key %s: needs key %s", legacyMirrorBinaryKey, legacyMirrorKey)
	case uri != "":
		return fmt.Errorf("key %s: cannot be combined with key %s; write the uri as a %s template with {version} and {arch}",
			legacyMirrorKey, legacyURIKey, legacyMirrorKey)
	case hasRegion:
		return fmt.Errorf("key %s: cannot be combined with key %s; set %s to %s or %s instead",
			legacyMirrorKey, legacyRegionKey, legacyMirrorKey, keadm.MirrorKubeSphereZH, keadm.MirrorKubeSphereEN)
	}
	return nil
}
