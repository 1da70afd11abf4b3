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
	line, err := keadm.RenderLegacy(keadm.LegacyParams{Version: "v1.7.2", Region: keadm.RegionEN, Args: cmd.Argv[1:]})
	if err != nil {
		panic(err)
	}
	fmt.Println(line)
	// Output:
	// arch=$(uname -m); if [ "$arch" = x86_64 ]; then arch=amd64; elif [ "$arch" = aarch64 ]; then arch=arm64; fi; curl -fLO https://github.com/kubesphere/kubeedge/releases/download/v1.7.2-kubesphere/keadm-v1.7.2-linux-"$arch".tar.gz && tar xvf keadm-v1.7.2-linux-"$arch".tar.gz && chmod +x keadm && ./keadm join --cloudcore-ipport=192.168.70.130:30000 --token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln --edgenode-name=edge-1 --kubeedge-version=1.7.2 --certport=30002
}
