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

package app

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// netnsDir is where `ip netns` keeps its namespace handles.
const netnsDir = "/run/netns"

// netnsThread runs functions on one goroutine locked to an OS thread that entered a network namespace. Commands
// exec'd and sockets opened there belong to the namespace; the rest of the process, including its API clients,
// stays in its own. It backs the test-only --netns flag.
type netnsThread struct {
	work chan func()
	done chan struct{}
}

// startNetnsThread enters the namespace (a name under /run/netns, or a path) on a new locked thread. It fails,
// rather than falling back to the process's namespace, when the thread cannot be shown to be inside it.
func startNetnsThread(name string) (*netnsThread, error) {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(netnsDir, name)
	}
	t := &netnsThread{work: make(chan func()), done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		defer close(t.done)
		// Never unlocked: the thread has left the process's namespace, so it must die with the goroutine.
		runtime.LockOSThread()
		if err := enterNetns(path); err != nil {
			errc <- err
			return
		}
		errc <- nil
		for fn := range t.work {
			fn()
		}
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return t, nil
}

// do runs fn inside the namespace and waits for it.
func (t *netnsThread) do(fn func()) {
	finished := make(chan struct{})
	t.work <- func() {
		defer close(finished)
		fn()
	}
	<-finished
}

// close ends the thread; do must not be called afterwards.
func (t *netnsThread) close() {
	close(t.work)
	<-t.done
}

// enterNetns moves the calling (locked) thread into the namespace at path and checks that it arrived.
func enterNetns(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening network namespace %s: %w", path, err)
	}
	defer func() { _ = unix.Close(fd) }()
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("entering network namespace %s: %w", path, err)
	}
	var want, got unix.Stat_t
	if err := unix.Fstat(fd, &want); err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	if err := unix.Stat(self, &got); err != nil {
		return fmt.Errorf("stat %s: %w", self, err)
	}
	if got.Ino != want.Ino || got.Dev != want.Dev {
		return fmt.Errorf("the thread is not in network namespace %s after setns", path)
	}
	return nil
}

// localAddresses returns the IP addresses of the interfaces of the network namespace ex runs in.
func localAddresses(ex executor) func() ([]netip.Addr, error) {
	return func() ([]netip.Addr, error) {
		var addrs []net.Addr
		var err error
		ex.do(func() { addrs, err = net.InterfaceAddrs() })
		if err != nil {
			return nil, fmt.Errorf("listing interface addresses: %w", err)
		}
		out := make([]netip.Addr, 0, len(addrs))
		for _, a := range addrs {
			var ip net.IP
			switch v := a.(type) {
			case *net.IPNet:
				ip = v.IP
			case *net.IPAddr:
				ip = v.IP
			}
			if addr, ok := netip.AddrFromSlice(ip); ok {
				out = append(out, addr.Unmap())
			}
		}
		return out, nil
	}
}
