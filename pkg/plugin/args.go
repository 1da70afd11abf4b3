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
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// usageError is a mistake on the command line; Run follows it with a pointer to --help, as kubectl does.
type usageError struct {
	cmd *cobra.Command
	err error
}

// Error implements error.
func (e *usageError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf returns a usageError for cmd with a formatted message.
func usageErrorf(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

// exactlyOneName accepts one positional argument, the edge node's name.
func exactlyOneName(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return usageErrorf(cmd, "NAME is required")
	case len(args) > 1:
		return usageErrorf(cmd, "exactly one NAME is allowed, got %d: %q", len(args), args)
	case args[0] == "":
		return usageErrorf(cmd, "NAME must not be empty")
	}
	return nil
}

// atLeastOneName accepts one or more non-empty edge node names.
func atLeastOneName(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageErrorf(cmd, "at least one NAME is required")
	}
	for _, a := range args {
		if a == "" {
			return usageErrorf(cmd, "NAME must not be empty")
		}
	}
	return nil
}

// noArgs rejects positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf(cmd, "unexpected arguments %q", args)
	}
	return nil
}

// asUsageError reports whether err is a command-line mistake, and for which command.
func asUsageError(err error) (*cobra.Command, bool) {
	var u *usageError
	if errors.As(err, &u) && u.cmd != nil {
		return u.cmd, true
	}
	return nil, false
}
