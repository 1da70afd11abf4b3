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

// Command edgewatcher-apiserver serves the kubeedge.kubesphere.io aggregated API.
package main

import (
	"os"
	"runtime/debug"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"

	"github.com/edgewatcher/edgewatcher/cmd/edgewatcher-apiserver/app"
)

// defaultGCPercent is the server's GC target unless GOGC is set. Most of its heap is the long-lived view of every
// Node, so Go's default of 100 would let the process grow to about twice that before collecting; at 50 it stays
// nearer the live heap for a little more GC work (BenchmarkAPIServerMemory measures both).
const defaultGCPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	cmd := app.NewCommand(genericapiserver.SetupSignalContext())
	os.Exit(cli.Run(cmd))
}
