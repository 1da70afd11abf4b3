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

package keadm_test

import (
	"fmt"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

const exampleToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" +
	".eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln"

func ExampleBuild() {
	cmd, err := keadm.Build(keadm.Input{
		Version:    "v1.23.1",
		CloudCore:  keadm.CloudCore{Host: "192.168.1.10", WebSocketPort: 30000, HTTPSPort: 30002, TunnelPort: 30004},
		Token:      exampleToken,
		NodeName:   "edge-1",
		NodeIP:     "10.0.0.5",
		Labels:     map[string]string{"zone": "a"},
		EdgeStream: true,
		Taints:     []keadm.Taint{{Key: "node-role.kubernetes.io/edge", Effect: keadm.TaintEffectNoSchedule}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(cmd.Shell)
	for _, l := range cmd.Limitations {
		fmt.Println(l.Setting)
	}
	// Output:
	// keadm join --cloudcore-ipport=192.168.1.10:30000 --token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln --edgenode-name=edge-1 --kubeedge-version=v1.23.1 --certport=30002 --labels=zone=a --set=Modules.Edged.NodeIP=10.0.0.5,modules.edgeStream.enable=true,modules.edgeStream.server=192.168.1.10:30004
	// taints
}

func ExampleRenderLegacy() {
	cmd, err := keadm.Build(keadm.Input{
		Version:   "v1.7.2",
		CloudCore: keadm.CloudCore{Host: "192.168.70.130", WebSocketPort: 30000, HTTPSPort: 30002},
		Token:     exampleToken,
		NodeName:  "edge-1",
	})
	if err != nil {
		panic(err)
	}
	line, err := keadm.RenderLegacy(keadm.LegacyParams{Version: "v1.7.2", Mirror: keadm.DefaultMirror(), Args: cmd.Argv[1:]})
	if err != nil {
		panic(err)
	}
	fmt.Println(line)
	// Output:
	// arch=$(uname -m) && case "$arch" in x86_64) arch=amd64;; aarch64|arm64) arch=arm64;; armv7l) arch=arm;; *) printf 'keadm download: unsupported machine architecture %s (supported: x86_64, aarch64, arm64, armv7l)\n' "$arch" >&2; false;; esac && curl -fLo keadm-v1.7.2-linux-"$arch".tar.gz https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/keadm-v1.7.2-linux-"$arch".tar.gz && curl -fLo checksum_keadm-v1.7.2-linux-"$arch".tar.gz.txt https://github.com/kubeedge/kubeedge/releases/download/v1.7.2/checksum_keadm-v1.7.2-linux-"$arch".tar.gz.txt && awk -v 'f=keadm-v1.7.2-linux-'"$arch".tar.gz 'NR == 1 { h = $1 } END { print h "  " f }' checksum_keadm-v1.7.2-linux-"$arch".tar.gz.txt | sha512sum -c - && tar -xzf keadm-v1.7.2-linux-"$arch".tar.gz && chmod +x ./keadm-v1.7.2-linux-"$arch"/keadm/keadm && ./keadm-v1.7.2-linux-"$arch"/keadm/keadm join --cloudcore-ipport=192.168.70.130:30000 --token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln --edgenode-name=edge-1 --kubeedge-version=1.7.2 --certport=30002
}
