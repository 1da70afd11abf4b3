// Command kubectl-edgenode is the kubectl plugin "kubectl edgenode": it reserves KubeEdge edge nodes
// and prints their keadm join commands and tokens through EdgeWatcher.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/edgewatcher/edgewatcher/pkg/plugin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := plugin.Run(ctx, os.Args[1:], plugin.StdStreams())
	stop()
	os.Exit(code)
}
