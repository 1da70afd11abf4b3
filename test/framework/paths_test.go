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
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRootFindsModule(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ok, err := declaresModule(filepath.Join(root, "go.mod"))
	if err != nil || !ok {
		t.Fatalf("RepoRoot() = %s, whose go.mod does not declare %s (err %v)", root, ModulePath, err)
	}
}

func TestBinPathHonoursEnvAndExplainsMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(BinDirEnv, dir)
	if _, err := BinPath("etcd"); err == nil {
		t.Fatal("BinPath succeeded for a missing binary")
	} else if want := "make testbins"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not mention %q", err, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "etcd"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := BinPath("etcd")
	if err != nil || p != filepath.Join(dir, "etcd") {
		t.Errorf("BinPath = %q, %v", p, err)
	}
}

func TestFreePortIsUnique(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
}
