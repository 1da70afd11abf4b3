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
