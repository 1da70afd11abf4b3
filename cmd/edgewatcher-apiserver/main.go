// Command edgewatcher-apiserver serves the kubeedge.kubesphere.io aggregated API.
package main

import (
	"os"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"

	"github.com/edgewatcher/edgewatcher/pkg/cmd/apiserver"
)

func main() {
	cmd := apiserver.NewCommand(genericapiserver.SetupSignalContext())
	os.Exit(cli.Run(cmd))
}
