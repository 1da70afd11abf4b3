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
