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

package dataplane

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Runner executes a command with stdin and returns its standard output.
type Runner interface {
	// Run executes name with args, feeding it stdin (nil for none).
	Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error)
}

// Starter is a Runner that can also leave a command running: Netfilter then overlaps a large `ipset restore` with
// the chain writes, and Prefill feeds one piece by piece. Commands it starts run concurrently with the calls
// that follow, in the network namespace of the OS thread that started them.
type Starter interface {
	Runner
	// Start starts a command like Run and returns once it has started; wait returns what Run would.
	Start(ctx context.Context, stdin []byte, name string, args ...string) (wait func() ([]byte, error), err error)
	// StartWriting starts a command like Start, with a pipe to its standard input that the caller writes and
	// must close before calling wait.
	StartWriting(ctx context.Context, name string, args ...string) (stdin io.WriteCloser, wait func() ([]byte, error), err error)
}

// ExecRunner runs commands directly, in the network namespace of the calling OS thread.
type ExecRunner struct{}

var _ Starter = ExecRunner{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	wait, err := ExecRunner{}.Start(ctx, stdin, name, args...)
	if err != nil {
		return nil, err
	}
	return wait()
}

// CommandError is a command that failed, with what it printed on standard error.
type CommandError struct {
	// Command is the program that ran.
	Command string
	// Args are its arguments.
	Args []string
	// Stderr is its trimmed standard error.
	Stderr string
	// Err is the underlying error, usually an *exec.ExitError.
	Err error
}

// Error implements error.
func (e *CommandError) Error() string {
	msg := fmt.Sprintf("%s %s: %v", e.Command, strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *CommandError) Unwrap() error { return e.Err }

// Start implements Starter. The process is forked from the calling goroutine's OS thread, so it shares that
// thread's network namespace, as Run's do.
func (ExecRunner) Start(ctx context.Context, stdin []byte, name string, args ...string) (wait func() ([]byte, error), err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	return startCaptured(cmd, name, args)
}

// StartWriting implements Starter.
func (ExecRunner) StartWriting(ctx context.Context, name string, args ...string) (stdin io.WriteCloser, wait func() ([]byte, error), err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin, err = cmd.StdinPipe(); err != nil {
		return nil, nil, &CommandError{Command: name, Args: args, Err: err}
	}
	if wait, err = startCaptured(cmd, name, args); err != nil {
		_ = stdin.Close()
		return nil, nil, err
	}
	return stdin, wait, nil
}

// startCaptured starts cmd with its output captured; wait returns its standard output, or a CommandError with
// its standard error.
func startCaptured(cmd *exec.Cmd, name string, args []string) (wait func() ([]byte, error), err error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return nil, &CommandError{Command: name, Args: args, Err: err}
	}
	return func() ([]byte, error) {
		if err := cmd.Wait(); err != nil {
			return stdout.Bytes(), &CommandError{Command: name, Args: args, Stderr: strings.TrimSpace(stderr.String()), Err: err}
		}
		return stdout.Bytes(), nil
	}, nil
}
