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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModulePath is the Go module path of this repository.
const ModulePath = "github.com/edgewatcher/edgewatcher"

// BinDirEnv names the environment variable that overrides the directory holding etcd, kube-apiserver and kubectl.
const BinDirEnv = "EDGEWATCHER_BIN_DIR"

// RepoRoot returns the directory whose go.mod declares ModulePath, searching upwards from the working directory.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working directory: %w", err)
	}
	for dir := wd; ; {
		ok, err := declaresModule(filepath.Join(dir, "go.mod"))
		if err != nil {
			return "", err
		}
		if ok {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod declaring module %s above %s", ModulePath, wd)
		}
		dir = parent
	}
}

// declaresModule reports whether the go.mod at path declares ModulePath; a missing file is not an error.
func declaresModule(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == ModulePath, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	return false, nil
}

// BinDir returns $EDGEWATCHER_BIN_DIR if set, otherwise <repo root>/_output/bin.
func BinDir() (string, error) {
	if dir := os.Getenv(BinDirEnv); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "_output", "bin"), nil
}

// ErrBinaryMissing is wrapped by the error returned when a test binary is absent from BinDir.
var ErrBinaryMissing = errors.New("test binary missing")

// BinPath returns the path of the named binary in BinDir, or an error wrapping ErrBinaryMissing that says to run `make testbins`.
func BinPath(name string) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	st, err := os.Stat(p)
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%w: %s not found or not executable; run `make testbins` to build etcd, kube-apiserver and kubectl into %s (or set %s)", ErrBinaryMissing, p, dir, BinDirEnv)
	}
	return p, nil
}

// CheckBinaries returns an error wrapping ErrBinaryMissing if any of etcd, kube-apiserver or kubectl is missing.
func CheckBinaries() error {
	var missing []string
	for _, name := range []string{"etcd", "kube-apiserver", "kubectl"} {
		if _, err := BinPath(name); err != nil {
			if !errors.Is(err, ErrBinaryMissing) {
				return err
			}
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	dir, err := BinDir()
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %s not found in %s; run `make testbins` (or set %s)", ErrBinaryMissing, strings.Join(missing, ", "), dir, BinDirEnv)
}
