// Command edgewatcher-syncer forwards edge nodes' kubelet endpoints to cloudcore's stream server on this host.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/component-base/cli"

	"github.com/edgewatcher/edgewatcher/pkg/cmd/syncer"
)

func main() {
	os.Exit(cli.Run(syncer.NewCommand(signalContext())))
}

// signalContext is cancelled on the first SIGTERM or SIGINT, which stops the loop and leaves the rules in place;
// a second signal exits at once.
func signalContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-ch
		cancel()
		<-ch
		os.Exit(1)
	}()
	return ctx
}
