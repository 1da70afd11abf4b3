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
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// readTar returns the entries of a tar archive by name (directories with a trailing slash), with their headers.
func readTar(t *testing.T, data []byte) (map[string][]byte, map[string]*tar.Header) {
	t.Helper()
	files, headers := map[string][]byte{}, map[string]*tar.Header{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, headers
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], headers[h.Name] = b, h
	}
}

func TestBuildOCIArchive(t *testing.T) {
	spec := ImageSpec{
		Name: "docker.io/edgewatcher/test:v1",
		Files: []ImageFile{
			{Path: "/bin/tool", Mode: 0o755, Data: []byte("#!/bin/true\n")},
			{Path: "/bin/sh", Mode: os.ModeSymlink | 0o777, Link: "tool"},
			{Path: "/tmp", Mode: os.ModeDir | os.ModeSticky | 0o777},
		},
		Entrypoint: []string{"/bin/tool"},
	}
	archive, err := BuildOCIArchive(spec, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	again, err := BuildOCIArchive(spec, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(archive, again) {
		t.Error("two builds of the same image differ; the archive must be reproducible")
	}
	files, _ := readTar(t, archive)
	if got := string(files["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %s", got)
	}
	var index struct {
		Manifests []ociDescriptor `json:"manifests"`
	}
	if err := json.Unmarshal(files["index.json"], &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 1 {
		t.Fatalf("index has %d manifests, want 1", len(index.Manifests))
	}
	m := index.Manifests[0]
	if m.Annotations["io.containerd.image.name"] != spec.Name || m.Annotations["org.opencontainers.image.ref.name"] != "v1" {
		t.Errorf("index annotations = %v", m.Annotations)
	}
	if m.Platform == nil || m.Platform.OS != "linux" || m.Platform.Architecture != "amd64" {
		t.Errorf("index platform = %+v", m.Platform)
	}
	// Every blob is stored under its own digest, and each descriptor's size is right.
	blob := func(d ociDescriptor) []byte {
		t.Helper()
		b, ok := files[blobPath(d.Digest)]
		if !ok {
			t.Fatalf("blob %s missing", d.Digest)
		}
		if digestOf(b) != d.Digest || int64(len(b)) != d.Size {
			t.Fatalf("blob %s has digest %s and size %d, descriptor says size %d", d.Digest, digestOf(b), len(b), d.Size)
		}
		return b
	}
	var manifest struct {
		Config ociDescriptor   `json:"config"`
		Layers []ociDescriptor `json:"layers"`
	}
	if err := json.Unmarshal(blob(m), &manifest); err != nil {
		t.Fatal(err)
	}
	var config struct {
		Config struct{ Entrypoint []string } `json:"config"`
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	if err := json.Unmarshal(blob(manifest.Config), &config); err != nil {
		t.Fatal(err)
	}
	if len(manifest.Layers) != 1 || len(config.RootFS.DiffIDs) != 1 || config.RootFS.DiffIDs[0] != manifest.Layers[0].Digest {
		t.Fatalf("layers %v and diff_ids %v must be the one uncompressed layer", manifest.Layers, config.RootFS.DiffIDs)
	}
	if strings.Join(config.Config.Entrypoint, " ") != "/bin/tool" {
		t.Errorf("entrypoint = %v", config.Config.Entrypoint)
	}
	layer, headers := readTar(t, blob(manifest.Layers[0]))
	if string(layer["bin/tool"]) != "#!/bin/true\n" || headers["bin/tool"].Mode != 0o755 {
		t.Errorf("bin/tool = %q mode %o", layer["bin/tool"], headers["bin/tool"].Mode)
	}
	if h := headers["bin/sh"]; h == nil || h.Typeflag != tar.TypeSymlink || h.Linkname != "tool" {
		t.Errorf("bin/sh = %+v, want a link to tool", h)
	}
	for _, dir := range []string{"bin/", "tmp/"} {
		if h := headers[dir]; h == nil || h.Typeflag != tar.TypeDir {
			t.Errorf("directory %s missing from the layer", dir)
		}
	}
	if headers["tmp/"].Mode != 0o1777 {
		t.Errorf("tmp/ mode = %o", headers["tmp/"].Mode)
	}
}

func TestBuildOCIArchiveRejectsRelativePaths(t *testing.T) {
	for _, p := range []string{"bin/tool", "/", ""} {
		if _, err := BuildOCIArchive(ImageSpec{Name: "x", Files: []ImageFile{{Path: p, Mode: 0o644}}}, "amd64"); err == nil {
			t.Errorf("path %q: no error", p)
		}
	}
}

func TestImageTag(t *testing.T) {
	for ref, want := range map[string]string{
		"docker.io/edgewatcher/pause:test": "test",
		"localhost:5000/pause":             "latest",
		"pause":                            "latest",
	} {
		if got := imageTag(ref); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", ref, got, want)
		}
	}
}
