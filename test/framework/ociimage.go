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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// ImageFile is one file, directory or symbolic link of a single-layer container image.
type ImageFile struct {
	// Path is the absolute path inside the image, such as /bin/busybox.
	Path string
	// Mode holds the permission bits (and os.ModeDir or os.ModeSymlink for a directory or a link).
	Mode os.FileMode
	// Data is the content of a regular file.
	Data []byte
	// Link is the target of a symbolic link.
	Link string
}

// ImageSpec describes an image that BuildOCIArchive writes.
type ImageSpec struct {
	// Name is the reference `ctr images import` gives the image, such as docker.io/edgewatcher/pause:test.
	Name string
	// Files are the image's only layer; parent directories are added as needed.
	Files []ImageFile
	// Entrypoint and Cmd are the image config's defaults.
	Entrypoint, Cmd []string
}

// Media types of the OCI image specification (opencontainers/image-spec@v1.1.0:media-types.md).
const (
	mediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	mediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	mediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar"
)

// ociDescriptor is an OCI content descriptor.
type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *ociPlatform      `json:"platform,omitempty"`
}

// ociPlatform is the platform of a manifest in an index.
type ociPlatform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// BuildOCIArchive returns an OCI image layout (opencontainers/image-spec@v1.1.0:image-layout.md) as a tar
// archive holding one linux image for arch (a GOARCH value) with spec's files as its single uncompressed layer.
// The index names the image with the annotations `ctr images import` reads, so nothing needs pulling.
func BuildOCIArchive(spec ImageSpec, arch string) ([]byte, error) {
	layer, err := layerTar(spec.Files)
	if err != nil {
		return nil, err
	}
	layerDigest := digestOf(layer)
	config, err := json.Marshal(map[string]any{
		"architecture": arch,
		"os":           "linux",
		"config":       map[string]any{"Entrypoint": spec.Entrypoint, "Cmd": spec.Cmd, "Env": []string{"PATH=/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{layerDigest}},
	})
	if err != nil {
		return nil, err
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaTypeManifest,
		"config":        ociDescriptor{MediaType: mediaTypeConfig, Digest: digestOf(config), Size: int64(len(config))},
		"layers":        []ociDescriptor{{MediaType: mediaTypeLayer, Digest: layerDigest, Size: int64(len(layer))}},
	})
	if err != nil {
		return nil, err
	}
	index, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaTypeIndex,
		"manifests": []ociDescriptor{{
			MediaType: mediaTypeManifest, Digest: digestOf(manifest), Size: int64(len(manifest)),
			Platform: &ociPlatform{Architecture: arch, OS: "linux"},
			// containerd's importer names the image after io.containerd.image.name
			// (containerd/containerd@v1.6.20:images/archive/importer.go).
			Annotations: map[string]string{"io.containerd.image.name": spec.Name, "org.opencontainers.image.ref.name": imageTag(spec.Name)},
		}},
	})
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	entries := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", index},
		{blobPath(layerDigest), layer},
		{blobPath(digestOf(config)), config},
		{blobPath(digestOf(manifest)), manifest},
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	for _, e := range entries {
		if err := writeTarFile(tw, e.name, 0o644, e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// epoch is every tar entry's modification time, so the same files always give the same digests.
var epoch = time.Unix(0, 0)

// layerTar returns the layer's tar stream: files sorted by path, with missing parent directories added.
func layerTar(files []ImageFile) ([]byte, error) {
	all := map[string]ImageFile{}
	for _, f := range files {
		p := path.Clean(f.Path)
		if !path.IsAbs(p) || p == "/" {
			return nil, fmt.Errorf("image file path %q must be absolute and not /", f.Path)
		}
		f.Path = p
		all[p] = f
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if _, ok := all[d]; !ok {
				all[d] = ImageFile{Path: d, Mode: os.ModeDir | 0o755}
			}
		}
	}
	paths := make([]string, 0, len(all))
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for _, p := range paths {
		f := all[p]
		name := strings.TrimPrefix(p, "/")
		var err error
		switch {
		case f.Mode&os.ModeDir != 0:
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: tarMode(f.Mode), ModTime: epoch})
		case f.Mode&os.ModeSymlink != 0:
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: f.Link, Mode: 0o777, ModTime: epoch})
		default:
			err = writeTarFile(tw, name, tarMode(f.Mode), f.Data)
		}
		if err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", p, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// tarMode returns the tar header mode of m: its permission bits and the sticky bit.
func tarMode(m os.FileMode) int64 {
	mode := int64(m.Perm())
	if m&os.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}

// writeTarFile writes one regular file entry.
func writeTarFile(tw *tar.Writer, name string, mode int64, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: epoch}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// digestOf returns the sha256 digest of b in OCI form.
func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// blobPath is where the layout keeps the blob with digest.
func blobPath(digest string) string {
	return "blobs/sha256/" + strings.TrimPrefix(digest, "sha256:")
}

// imageTag returns the tag of an image reference, or "latest" when it has none.
func imageTag(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:]
	}
	return "latest"
}
