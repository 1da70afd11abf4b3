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
	"testing"
)

// FuzzBuild feeds arbitrary values into every string field Build takes, as a hostile
// ConfigMap, Secret, request or flag could. An accepted command must parse back word for
// word with a real shell parser and keep its fixed shape; nothing may panic.
func FuzzBuild(f *testing.F) {
	f.Add("v1.23.1", "192.0.2.10", "edge-1", "10.0.0.5", "zone", "a", "unix:///run/containerd/containerd.sock", "systemd", "registry.example.com/kubeedge")
	f.Add("v1.6.2", "cloudcore.example.com", "edge-2", "", "k", "$(id)", "", "cgroupfs", "")
	for _, h := range hostile {
		f.Add("v1.19.2", h, h, h, h, h, h, h, h)
	}
	f.Fuzz(func(t *testing.T, version, host, name, ip, labelKey, labelValue, runtime, cgroup, repo string) {
		in := Input{
			Version:         version,
			CloudCore:       CloudCore{Host: host, WebSocketPort: 30000, HTTPSPort: 30002, TunnelPort: 30004},
			Token:           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln",
			NodeName:        name,
			NodeIP:          ip,
			Labels:          map[string]string{labelKey: labelValue},
			RuntimeEndpoint: runtime,
			CgroupDriver:    cgroup,
			ImageRepository: repo,
			EdgeStream:      true,
		}
		cmd, err := Build(in)
		if err != nil {
			return
		}
		if len(cmd.Argv) < 2 || cmd.Argv[0] != "keadm" || cmd.Argv[1] != "join" {
			t.Fatalf("argv %q does not start with keadm join", cmd.Argv)
		}
		mustRoundTrip(t, cmd.Shell, cmd.Argv)
	})
}
