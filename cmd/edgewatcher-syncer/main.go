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

// Command edgewatcher-syncer forwards edge nodes' kubelet endpoints to cloudcore's stream server on this host.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"k8s.io/component-base/cli"

	"github.com/edgewatcher/edgewatcher/cmd/edgewatcher-syncer/app"
)

// defaultGCPercent is the syncer's GC target unless GOGC is set. Its heap is almost all long-lived cache and it
// allocates little once synced, so a tighter target costs little CPU and keeps RSS near the live heap: at 100k
// edge Nodes the default of 100 would hold about twice the 100 MB it needs.
const defaultGCPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	os.Exit(cli.Run(app.NewCommand(signalContext())))
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
