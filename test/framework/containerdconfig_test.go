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

package framework

import (
	"strings"
	"testing"
)

func TestContainerdConfig(t *testing.T) {
	l, err := NewContainerdLayout("/tmp/ew/containerd")
	if err != nil {
		t.Fatal(err)
	}
	got := ContainerdConfig(l, PauseImageName)
	for _, want := range []string{
		`root = "/tmp/ew/containerd/root"`,
		`state = "/tmp/ew/containerd/state"`,
		`address = "/tmp/ew/containerd/containerd.sock"`,
		`path = "/tmp/ew/containerd/opt"`,
		`sandbox_image = "docker.io/edgewatcher/pause:test"`,
		`stream_server_address = "127.0.0.1"`,
		`SystemdCgroup = false`,
		`restrict_oom_score_adj = true`,
		`bin_dir = "/usr/lib/cni"`,
		`conf_dir = "/tmp/ew/containerd/cni"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %s:\n%s", want, got)
		}
	}
	for _, system := range []string{"/var/lib/containerd", "/run/containerd", "/opt/containerd"} {
		if strings.Contains(got, system) {
			t.Errorf("config names the system's %s:\n%s", system, got)
		}
	}
}

func TestContainerdLayoutRejectsLongSocketPaths(t *testing.T) {
	if _, err := NewContainerdLayout("/tmp/" + strings.Repeat("d", 80)); err != nil {
		t.Errorf("an 86-byte directory: %v", err)
	}
	if _, err := NewContainerdLayout("/tmp/" + strings.Repeat("d", 90)); err == nil {
		t.Error("a 96-byte directory: no error, but its socket path does not fit in a unix socket address")
	}
}
