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

// Package keadm builds `keadm join` commands for KubeEdge releases v1.6 to v1.23.
//
// It is a pure package: it reads no cluster state and runs nothing. Build takes an Input
// (version, cloudcore address and ports, token, node name and IP, labels, taints, runtime,
// image repository, edgeStream) and returns the command both as an argv and as one line of
// POSIX shell in which every argument is safely quoted.
//
// # Flags by version
//
// A flag is passed only to the keadm releases that register it and do not deprecate it (see
// Supports, Deprecated and the table in flags.go, taken from the upstream `cmd.Flags()`
// registrations at each tag):
//
//	--runtimetype         v1.6 – v1.15
//	--labels              v1.8 and later
//	--with-mqtt           v1.10 – v1.15 (v1.16 – v1.20 still parse it but print a
//	                      deprecation warning, so Build leaves it out there)
//	--image-repository    v1.11 and later
//	--hub-protocol        v1.16 and later
//	--set                 v1.18 and later
//
// --kubeedge-version is always pinned. keadm v1.6 – v1.10 parse it with blang/semver
// MustParse, which panics on a leading "v", so those releases get "1.9.2"; v1.11 and later
// pull the image tag and get "v1.11.0".
//
// # Settings that a release cannot express
//
// Build never drops a requested setting silently. What the chosen release cannot express is
// returned as a Limitation (or, with Input.Strict, as an error): node IP and edgeStream before
// v1.18, labels before v1.8, and taints on every release (see set.go for why keadm's --set
// parser cannot build a taint list). Settings that would make the command wrong rather than
// incomplete (QUIC before v1.16, the docker runtime from v1.14) are always errors.
//
// # Console line
//
// RenderLegacy wraps the argv in the one-liner the KubeSphere console shows: it maps `uname -m` to an
// architecture (refusing anything else before downloading), downloads the keadm tarball from a Mirror,
// checks it against the mirror's sha512 checksum file, unpacks it and runs the keadm inside. The default
// mirror is KubeEdge's release assets; ParseMirror also takes KubeSphere's mirrors by name or a URL template
// with {version} and {arch}, and refuses a mirror without checksums unless verification is turned off
// explicitly with ChecksumNone. RegionMirror and LegacyURIMirror keep KubeSphere's old region and uri
// settings working, unverified, and the line says so.
//
// # Quoting
//
// Every value is validated at the boundary against a strict grammar, and the shell line is
// produced only by Quote/ShellJoin, never by concatenating unquoted text.
package keadm
