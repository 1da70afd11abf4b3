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

package framework

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultStopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL.
const DefaultStopTimeout = 10 * time.Second

// Process is a child process whose stdout and stderr go to a log file.
type Process struct {
	// Name is a short human-readable name used in messages.
	Name string
	// LogPath is the file that receives the process's output.
	LogPath string

	cmd      *exec.Cmd
	done     chan struct{}
	waitErr  error
	stopping atomic.Bool
}

// StartProcess starts bin with args, appending its output to logPath; the child is killed if this process dies.
func StartProcess(name, logPath, bin string, args ...string) (*Process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log for %s: %w", name, err)
	}
	defer func() { _ = logFile.Close() }() // the child keeps its own descriptor
	_, _ = fmt.Fprintf(logFile, "=== %s: starting %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))

	cmd := exec.Command(bin, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Pdeathsig makes the kernel kill the child when its parent dies, so nothing outlives the test.
		Pdeathsig: syscall.SIGKILL,
		// A separate process group keeps a terminal's Ctrl-C away from the child; the parent stops it in order.
		Setpgid: true,
	}
	if err := startFromSpawner(cmd); err != nil {
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid returns the operating-system process id.
func (p *Process) Pid() int {
	return p.cmd.Process.Pid
}

// Done returns a channel that is closed when the process has exited.
func (p *Process) Done() <-chan struct{} {
	return p.done
}

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stopping reports whether Stop has been called, so an exit is expected.
func (p *Process) Stopping() bool {
	return p.stopping.Load()
}

// ExitError returns how the process ended, or nil while it is still running.
func (p *Process) ExitError() error {
	if !p.Exited() {
		return nil
	}
	if p.waitErr == nil {
		return fmt.Errorf("%s exited with status 0", p.Name)
	}
	return fmt.Errorf("%s exited: %w", p.Name, p.waitErr)
}

// Stop sends SIGTERM, waits up to timeout (DefaultStopTimeout if zero), then sends SIGKILL and waits for the exit.
func (p *Process) Stop(timeout time.Duration) error {
	p.stopping.Store(true)
	if p.Exited() {
		return nil
	}
	if timeout <= 0 {
		timeout = DefaultStopTimeout
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send SIGTERM to %s: %w", p.Name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(timeout):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.Name, err)
	}
	<-p.done
	return nil
}

// LogTail returns the last n lines of the process log.
func (p *Process) LogTail(n int) string {
	return tailFile(p.LogPath, n)
}

// tailFile returns the last n lines of the file at path, or a note explaining why it could not be read.
func tailFile(path string, n int) string {
	const maxRead = 512 << 10
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(cannot stat %s: %v)", path, err)
	}
	offset := max(st.Size()-maxRead, 0)
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return fmt.Sprintf("(cannot seek %s: %v)", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if n > 0 && len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// formatTail renders a titled log tail block for error messages.
func formatTail(title, path string, n int) string {
	return fmt.Sprintf("----- last %d lines of %s (%s) -----\n%s\n", n, title, path, tailFile(path, n))
}

// Pdeathsig fires when the *thread* that started the child exits, not the process. Go may end
// threads (a goroutine that locked its thread, for example one that entered a network namespace,
// takes the thread with it), so every child is started from one goroutine locked to a thread
// that lives as long as the test binary.
var spawnRequests = make(chan spawnRequest)

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

var spawnerOnce sync.Once

func startFromSpawner(cmd *exec.Cmd) error {
	spawnerOnce.Do(func() {
		go func() {
			runtime.LockOSThread() // never unlocked: this thread stays alive and the children's parent
			for req := range spawnRequests {
				req.done <- req.cmd.Start()
			}
		}()
	})
	req := spawnRequest{cmd: cmd, done: make(chan error, 1)}
	spawnRequests <- req
	return <-req.done
}
