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

package app

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// parseJoin parses args into fresh default join options.
func parseJoin(t *testing.T, args ...string) *JoinOptions {
	t.Helper()
	o := NewJoinOptions()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return o
}

func TestKeadmMirrorFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		mirror   string // the mirror's Name when valid
		verified bool
		want     string // substring of the only error; empty means valid
	}{
		{args: nil, mirror: "kubeedge", verified: true},
		{args: []string{"--keadm-mirror=kubesphere-zh", "--keadm-mirror-checksum=none"}, mirror: "kubesphere-zh"},
		{args: []string{"--keadm-mirror=https://m.example.com/{version}/keadm-{version}-linux-{arch}.tar.gz"}, mirror: "m.example.com", verified: true},
		{args: []string{"--keadm-mirror=https://m.example.com/{version}/{arch}.tgz", "--keadm-mirror-checksum=https://m.example.com/{version}/{arch}.sha512",
			"--keadm-mirror-binary=keadm"}, mirror: "m.example.com", verified: true},
		{args: []string{"--legacy-region=zh"}, mirror: "kubesphere-zh"},
		{args: []string{"--legacy-region=en"}, mirror: "kubesphere-en"},
		{args: []string{"--keadm-mirror=kubesphere-en"}, want: `--keadm-mirror-checksum: mirror kubesphere-en publishes no checksum files: ` +
			`set an https checksum URL template, or "none" to download keadm unverified`},
		{args: []string{"--keadm-mirror=github"}, want: `--keadm-mirror: unknown mirror "github"`},
		{args: []string{"--keadm-mirror=https://m.example.com/{version}/$(id)/{arch}"}, want: "--keadm-mirror: "},
		{args: []string{"--keadm-mirror-checksum=http://m.example.com/{version}/{arch}"}, want: "--keadm-mirror-checksum: checksum URL"},
		{args: []string{"--keadm-mirror-binary=../keadm"}, want: "--keadm-mirror-binary: "},
		{args: []string{"--legacy-region=cn"}, want: `--legacy-region: "cn" must be zh or en`},
		{args: []string{"--legacy-region=zh", "--keadm-mirror=kubesphere-zh"}, want: "--legacy-region cannot be combined with --keadm-mirror"},
	} {
		o := parseJoin(t, tc.args...)
		errs := o.Validate()
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%v: unexpected errors %v", tc.args, errs)
		case tc.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want)):
			t.Errorf("%v: errors %v, want one containing %q", tc.args, errs, tc.want)
		case tc.want == "":
			m, err := o.mirror()
			if err != nil || m.Name() != tc.mirror || m.Verified() != tc.verified {
				t.Errorf("%v: mirror %q verified %v (%v), want %q verified %v", tc.args, m.Name(), m.Verified(), err, tc.mirror, tc.verified)
			}
		}
	}
}

func TestLegacyRegionIsDeprecated(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	NewJoinOptions().AddFlags(fs)
	if f := fs.Lookup("legacy-region"); f == nil || f.Deprecated == "" || !strings.Contains(f.Deprecated, "--keadm-mirror") {
		t.Fatalf("--legacy-region is not deprecated in favour of --keadm-mirror: %+v", f)
	}
}
