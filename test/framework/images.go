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
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Names of the images the real-edgecore test imports into its containerd; nothing is ever pulled.
const (
	// PauseImageName is the pod sandbox image: the static program in test/images/pause.
	PauseImageName = "docker.io/edgewatcher/pause:test"
	// BusyboxImageName is the workload image: Debian's static busybox, whose applets are links to it.
	BusyboxImageName = "docker.io/edgewatcher/busybox:test"
	// BusyboxPath is where Debian's busybox-static package installs its binary.
	BusyboxPath = "/bin/busybox"
)

// busyboxApplets are the links the busybox image has in /bin besides busybox itself.
var busyboxApplets = []string{"sh", "echo", "cat", "sleep", "ls", "ps", "top", "env", "hostname", "date", "true"}

// PauseImage compiles test/images/pause statically into dir and returns the OCI archive of the pause image.
func PauseImage(dir string) ([]byte, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "pause")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./test/images/pause")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./test/images/pause: %w\n%s", err, strings.TrimSpace(string(out)))
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	return BuildOCIArchive(ImageSpec{
		Name:       PauseImageName,
		Files:      []ImageFile{{Path: "/pause", Mode: 0o755, Data: data}},
		Entrypoint: []string{"/pause"},
	}, runtime.GOARCH)
}

// BusyboxImage returns the OCI archive of an image holding the busybox binary at busybox (BusyboxPath from
// Debian's busybox-static, which must be statically linked), with /bin/sh and a few applets linked to it.
func BusyboxImage(busybox string) ([]byte, error) {
	data, err := os.ReadFile(busybox)
	if err != nil {
		return nil, fmt.Errorf("read busybox (hack/install-deps.sh installs busybox-static): %w", err)
	}
	files := []ImageFile{
		{Path: "/bin/busybox", Mode: 0o755, Data: data},
		{Path: "/tmp", Mode: os.ModeDir | os.ModeSticky | 0o777},
		{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/bin/sh\n")},
		{Path: "/etc/group", Mode: 0o644, Data: []byte("root:x:0:\n")},
	}
	for _, a := range busyboxApplets {
		files = append(files, ImageFile{Path: "/bin/" + a, Mode: os.ModeSymlink | 0o777, Link: "busybox"})
	}
	return BuildOCIArchive(ImageSpec{Name: BusyboxImageName, Files: files, Cmd: []string{"/bin/sh"}}, runtime.GOARCH)
}
