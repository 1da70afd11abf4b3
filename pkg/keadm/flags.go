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
	"maps"
	"slices"
)

// Flag names of `keadm join`, exactly as upstream registers them.
const (
	FlagCloudCoreIPPort       = "cloudcore-ipport"
	FlagToken                 = "token"
	FlagEdgeNodeName          = "edgenode-name"
	FlagKubeEdgeVersion       = "kubeedge-version"
	FlagCgroupDriver          = "cgroupdriver"
	FlagCertPath              = "certPath"
	FlagRemoteRuntimeEndpoint = "remote-runtime-endpoint"
	FlagRuntimeType           = "runtimetype"
	FlagCertPort              = "certport"
	FlagTarballPath           = "tarballpath"
	FlagLabels                = "labels"
	FlagWithMQTT              = "with-mqtt"
	FlagImageRepository       = "image-repository"
	FlagHubProtocol           = "hub-protocol"
	FlagSet                   = "set"
	FlagPreRun                = "pre-run"
	FlagPostRun               = "post-run"
)

// minorRange is an inclusive range of v1 minor releases; last == 0 means "still registered in MaxMinor".
type minorRange struct {
	first, last int
}

// flagRanges is the flag table: the releases whose `keadm join` registers each flag (upstream `cmd.Flags()` at
// each tag: keadm/cmd/keadm/app/cmd/edge/join.go until v1.15, join_others.go from v1.16). The test
// test/kubeedge/keadm checks it against real keadm v1.12.7, v1.19.2 and v1.23.1.
var flagRanges = map[string]minorRange{
	FlagCloudCoreIPPort:       {first: MinMinor},
	FlagToken:                 {first: MinMinor},
	FlagEdgeNodeName:          {first: MinMinor},
	FlagKubeEdgeVersion:       {first: MinMinor},
	FlagCgroupDriver:          {first: MinMinor},
	FlagCertPath:              {first: MinMinor},
	FlagRemoteRuntimeEndpoint: {first: MinMinor},
	FlagRuntimeType:           {first: MinMinor, last: 15},
	FlagCertPort:              {first: MinMinor},
	FlagTarballPath:           {first: MinMinor},
	FlagLabels:                {first: 8},
	FlagWithMQTT:              {first: 10, last: 20},
	FlagImageRepository:       {first: 11},
	FlagHubProtocol:           {first: 16},
	FlagSet:                   {first: 18},
	FlagPreRun:                {first: 20},
	FlagPostRun:               {first: 20},
}

// Supports reports whether `keadm join` of release v registers the named flag.
func Supports(v Version, flag string) bool {
	r, ok := flagRanges[flag]
	if !ok {
		return false
	}
	return v.Minor >= r.first && (r.last == 0 || v.Minor <= r.last)
}

// deprecatedRanges lists the releases whose keadm still registers a flag but marks it deprecated: pflag then
// prints "Flag --<name> has been deprecated" on every use, so Build does not emit it there. keadm v1.16 to
// v1.20 deprecate --with-mqtt ("the mqtt broker is already managed by the DaemonSet in the cloud";
// kubeedge/kubeedge@v1.19.2: keadm/cmd/keadm/app/cmd/edge/join_others.go).
var deprecatedRanges = map[string]minorRange{
	FlagWithMQTT: {first: 16, last: 20},
}

// Deprecated reports whether `keadm join` of release v registers the named flag but marks it deprecated.
func Deprecated(v Version, flag string) bool {
	r, ok := deprecatedRanges[flag]
	return ok && v.Minor >= r.first && v.Minor <= r.last
}

// Flags returns the names of every `keadm join` flag that Build knows, sorted.
func Flags() []string {
	return slices.Sorted(maps.Keys(flagRanges))
}
