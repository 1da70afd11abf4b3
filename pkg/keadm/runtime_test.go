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
	"strings"
	"testing"
)

func TestRuntimeFor(t *testing.T) {
	tests := []struct {
		name, version string
		wantEndpoint  string
		wantType      RuntimeType
		wantErr       string
	}{
		{"containerd", "v1.12.7", ContainerdEndpoint, RuntimeTypeAuto, ""},
		{"containerd", "v1.23.1", ContainerdEndpoint, RuntimeTypeAuto, ""},
		{"docker", "v1.12.7", "", RuntimeTypeDocker, ""},
		{"docker", "v1.13.0", "", RuntimeTypeDocker, ""},
		{"docker", "v1.14.0", CRIDockerdEndpoint, RuntimeTypeAuto, ""},
		{"docker", "v1.23.1", CRIDockerdEndpoint, RuntimeTypeAuto, ""},
		{"cri-o", "v1.23.1", "", RuntimeTypeAuto, `runtime "cri-o": must be containerd or docker`},
		{"Docker", "v1.23.1", "", RuntimeTypeAuto, "must be containerd or docker"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"@"+tt.version, func(t *testing.T) {
			v, err := ParseVersion(tt.version)
			if err != nil {
				t.Fatal(err)
			}
			endpoint, rt, err := RuntimeFor(tt.name, v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || endpoint != tt.wantEndpoint || rt != tt.wantType {
				t.Fatalf("RuntimeFor = %q, %q, %v; want %q, %q", endpoint, rt, err, tt.wantEndpoint, tt.wantType)
			}
			// The mapped settings must build for that release.
			in := Input{Version: tt.version, CloudCore: CloudCore{Host: "192.0.2.10"}, Token: testToken, NodeName: "edge-1",
				RuntimeEndpoint: endpoint, RuntimeType: rt, Strict: true}
			if _, err := Build(in); err != nil {
				t.Fatalf("Build with the mapped runtime: %v", err)
			}
		})
	}
}

func TestCheckSkew(t *testing.T) {
	tests := []struct {
		edge, cloud string
		wantErr     string
	}{
		{"v1.23.1", "v1.23.1", ""},
		{"v1.23.0", "v1.23.1", ""},
		{"v1.23.2", "v1.23.1", ""},
		{"v1.21.0", "v1.23.1", ""},
		{"v1.20.9", "v1.23.1", "more than 2 minor releases older"},
		{"v1.13.0", "v1.12.7", "newer than cloudcore's v1.12.7"},
	}
	for _, tt := range tests {
		t.Run(tt.edge+"-"+tt.cloud, func(t *testing.T) {
			edge, _ := ParseVersion(tt.edge)
			cloud, _ := ParseVersion(tt.cloud)
			err := CheckSkew(edge, cloud)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("CheckSkew = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
