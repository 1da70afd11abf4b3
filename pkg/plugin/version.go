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

package plugin

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is the plugin's release, set at link time with
// -ldflags "-X github.com/edgewatcher/edgewatcher/pkg/plugin.version=v0.1.0"; empty means the module's build info.
var version = ""

// buildVersion returns the plugin's version and, when known, the commit it was built from.
func buildVersion() (ver, commit string) {
	ver = version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return orDefault(ver, "unknown"), ""
	}
	if ver == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		ver = info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			commit = s.Value
			if len(commit) > 12 {
				commit = commit[:12]
			}
		}
	}
	return orDefault(ver, "devel"), commit
}

// userAgent is the User-Agent of the plugin's requests, like kubectl's "kubectl/v1.37.2 (linux/amd64)".
func userAgent() string {
	ver, _ := buildVersion()
	return fmt.Sprintf("kubectl-edgenode/%s (%s/%s)", ver, runtime.GOOS, runtime.GOARCH)
}

// newVersionCommand returns `kubectl edgenode version`.
func newVersionCommand(streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the plugin's version",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			ver, commit := buildVersion()
			if commit != "" {
				commit = "commit " + commit + ", "
			}
			_, err := fmt.Fprintf(streams.Out, "kubectl-edgenode %s (%s%s, %s/%s)\n", ver, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
