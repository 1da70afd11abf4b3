// Command edgewatcher-apiserver serves the kubeedge.kubesphere.io aggregated API.
package main

import (
	"os"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"

	"github.com/edgewatcher/edgewatcher/cmd/edgewatcher-apiserver/app"
)

func main() {
	cmd := app.NewCommand(genericapiserver.SetupSignalContext())
	os.Exit(cli.Run(cmd))
}
