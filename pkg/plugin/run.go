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

package plugin

import (
	"context"
	"fmt"
)

// Run executes the plugin with args (without the program name) and returns its exit code:
// 0 on success, 1 after printing the error as kubectl would.
func Run(ctx context.Context, args []string, streams IOStreams) int {
	cmd := NewCommand(streams)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	_, _ = fmt.Fprintln(streams.ErrOut, errorMessage(err))
	if c, ok := asUsageError(err); ok {
		_, _ = fmt.Fprintf(streams.ErrOut, "See '%s -h' for help and examples\n", c.CommandPath())
	}
	return 1
}
