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

package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestCommandLineFlagsDoc builds the binaries and fails when docs/command-line-flags.md is not what they print.
func TestCommandLineFlagsDoc(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := build(root, dir); err != nil {
		t.Fatal(err)
	}
	want, err := Render(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Render(dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(want) {
		t.Fatalf("two runs of the same binaries printed different help:\n%s", firstDifference(string(want), string(again)))
	}
	got, err := os.ReadFile(filepath.Join(root, DocPath))
	if err != nil {
		t.Fatalf("%v; create it with `make update-docs`", err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s differs from the binaries' --help output; regenerate it with `make update-docs` "+
			"(go run ./hack/flagdocs -o %s) and commit it:\n%s", DocPath, DocPath, firstDifference(string(got), string(want)))
	}
}

// firstDifference describes the first line where the file (a) and the binaries' output (b) differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  file:     " + x + "\n  binaries: " + y
		}
	}
	return "(no difference)"
}

// TestSubcommands checks that the command trees name every subcommand, also those the syncer's help (the
// flag-section layout of k8s.io/component-base) does not list.
func TestSubcommands(t *testing.T) {
	var got []string
	for _, b := range binaries {
		for _, sub := range subcommands(b.tree(), nil) {
			got = append(got, strings.Join(append([]string{b.name}, sub...), " "))
		}
	}
	want := []string{
		"edgewatcher-apiserver",
		"edgewatcher-syncer", "edgewatcher-syncer cleanup",
		"kubectl-edgenode", "kubectl-edgenode join", "kubectl-edgenode list", "kubectl-edgenode release",
		"kubectl-edgenode token", "kubectl-edgenode version",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documented commands = %q, want %q", got, want)
	}
}
