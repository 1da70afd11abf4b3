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
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// NewCgroupParent returns a fresh cgroup path, /edgewatcher-test-<random>, under which a test's containers get
// their cgroups, so RemoveCgroup can take away everything the test made in the host's cgroup tree.
func NewCgroupParent() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "/edgewatcher-test-" + hex.EncodeToString(b[:]), nil
}

// cgroupMounts returns the mount points of every cgroup (v1) and cgroup2 hierarchy, from /proc/self/mountinfo.
func cgroupMounts() ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "36 35 98:0 / /sys/fs/cgroup/cpu rw,relatime shared:1 - cgroup cgroup rw,cpu"
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, postFields := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(postFields) < 1 {
			continue
		}
		if fs := postFields[0]; fs == "cgroup" || fs == "cgroup2" {
			mounts = append(mounts, fields[4])
		}
	}
	return mounts, sc.Err()
}

// RemoveCgroup removes the cgroup at path (as NewCgroupParent returns it) and the cgroups below it in every
// hierarchy, deepest first. A cgroup that still has processes stays, and is reported.
func RemoveCgroup(path string) error {
	if !strings.HasPrefix(path, "/edgewatcher-test-") {
		return fmt.Errorf("refusing to remove cgroup %q, which NewCgroupParent did not make", path)
	}
	mounts, err := cgroupMounts()
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range mounts {
		var dirs []string
		_ = filepath.WalkDir(filepath.Join(m, path), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		slices.Reverse(dirs)
		for _, d := range dirs {
			// A cgroup directory is removed with rmdir alone; its control files go with it.
			if err := syscall.Rmdir(d); err != nil && !errors.Is(err, syscall.ENOENT) {
				errs = append(errs, fmt.Errorf("remove cgroup %s: %w", d, err))
			}
		}
	}
	return errors.Join(errs...)
}
