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
	"slices"
	"testing"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in        string
		want      Version
		flagValue string
		wantErr   bool
	}{
		{in: "v1.6.0", want: Version{1, 6, 0}, flagValue: "1.6.0"},
		{in: "v1.7.3", want: Version{1, 7, 3}, flagValue: "1.7.3"},
		{in: "v1.10.9", want: Version{1, 10, 9}, flagValue: "1.10.9"},
		{in: "v1.11.0", want: Version{1, 11, 0}, flagValue: "v1.11.0"},
		{in: "v1.23.1", want: Version{1, 23, 1}, flagValue: "v1.23.1"},
		{in: "1.6.0", wantErr: true},
		{in: "v1.6", wantErr: true},
		{in: "v1.06.0", wantErr: true},
		{in: "v01.6.0", wantErr: true},
		{in: "v1.5.9", wantErr: true},
		{in: "v1.24.0", wantErr: true},
		{in: "v2.6.0", wantErr: true},
		{in: "v0.6.0", wantErr: true},
		{in: "v1.18.0-rc.1", wantErr: true},
		{in: "v1.18.0+build", wantErr: true},
		{in: " v1.18.0", wantErr: true},
		{in: "v1.18.0\n", wantErr: true},
		{in: "v1.18.0;id", wantErr: true},
		{in: "v1.18.0$(id)", wantErr: true},
		{in: "V1.18.0", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseVersion(%q) = %v, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.in {
			t.Errorf("ParseVersion(%q).String() = %q", tt.in, got.String())
		}
		if got.FlagValue() != tt.flagValue {
			t.Errorf("ParseVersion(%q).FlagValue() = %q, want %q", tt.in, got.FlagValue(), tt.flagValue)
		}
	}
}

func TestSupports(t *testing.T) {
	// The inclusive minor range of each flag, from upstream's `cmd.Flags()` at each tag.
	table := map[string][2]int{
		FlagCloudCoreIPPort:       {6, 23},
		FlagToken:                 {6, 23},
		FlagEdgeNodeName:          {6, 23},
		FlagKubeEdgeVersion:       {6, 23},
		FlagCgroupDriver:          {6, 23},
		FlagCertPath:              {6, 23},
		FlagRemoteRuntimeEndpoint: {6, 23},
		FlagRuntimeType:           {6, 15},
		FlagCertPort:              {6, 23},
		FlagTarballPath:           {6, 23},
		FlagLabels:                {8, 23},
		FlagWithMQTT:              {10, 20},
		FlagImageRepository:       {11, 23},
		FlagHubProtocol:           {16, 23},
		FlagSet:                   {18, 23},
		FlagPreRun:                {20, 23},
		FlagPostRun:               {20, 23},
	}
	for flag, r := range table {
		for minor := MinMinor; minor <= MaxMinor; minor++ {
			v := Version{Major: 1, Minor: minor}
			want := minor >= r[0] && minor <= r[1]
			if got := Supports(v, flag); got != want {
				t.Errorf("Supports(%v, %q) = %v, want %v", v, flag, got, want)
			}
		}
	}
	for _, absent := range []string{"quicport", "tunnelport", "edgenode-ip", "with-edge-taint", "region"} {
		if Supports(Version{1, 23, 1}, absent) {
			t.Errorf("Supports(v1.23.1, %q) = true; no upstream keadm has this flag", absent)
		}
	}
}

func TestDeprecated(t *testing.T) {
	for minor := MinMinor; minor <= MaxMinor; minor++ {
		v := Version{Major: 1, Minor: minor}
		for _, flag := range Flags() {
			want := flag == FlagWithMQTT && minor >= 16 && minor <= 20
			if got := Deprecated(v, flag); got != want {
				t.Errorf("Deprecated(%v, %q) = %v, want %v", v, flag, got, want)
			}
			if Deprecated(v, flag) && !Supports(v, flag) {
				t.Errorf("Deprecated(%v, %q) for a flag the release lacks", v, flag)
			}
		}
	}
}

func TestFlags(t *testing.T) {
	flags := Flags()
	if len(flags) != len(flagRanges) || !slices.IsSorted(flags) {
		t.Fatalf("Flags() = %q: want the %d names of the flag table, sorted", flags, len(flagRanges))
	}
	for _, f := range flags {
		if _, ok := flagRanges[f]; !ok {
			t.Errorf("Flags() lists %q, which the flag table lacks", f)
		}
	}
}
