package metrics

import "github.com/edgewatcher/edgewatcher/test/framework"

// Addresses of the test topology (framework.NewCloudTopology): the control-plane host and two cloudcore stand-ins.
var (
	hostIP     = framework.TopologyHostIP
	cloudcore1 = framework.CloudcoreIP(0)
	cloudcore2 = framework.CloudcoreIP(1)
)

// streamPort is cloudcore's stream server port.
const streamPort = "10003"
