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

package netns

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on a new goroutine locked to an OS thread that has entered the namespace, and returns its error.
// Everything fn does on that goroutine, including every command it execs and every socket it opens, happens in
// the namespace. Goroutines fn starts run on other threads, outside it, so fn must not hand network work to them.
// fn must not call t.Fatal (it is not the test goroutine); a panic is returned as an error.
//
// The thread never leaves the namespace: when fn returns the goroutine exits still locked, and the Go runtime
// discards the thread rather than reuse it.
func (ns *Namespace) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		defer func() {
			if p := recover(); p != nil {
				errc <- fmt.Errorf("panic in namespace %s: %v", ns.Name, p)
			}
		}()
		if err := ns.enter(); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// enter moves the calling thread into the namespace and checks that it arrived.
func (ns *Namespace) enter() error {
	if !ns.Exists() {
		return fmt.Errorf("namespace %s does not exist", ns.Name)
	}
	fd, err := unix.Open(ns.Path(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", ns.Path(), err)
	}
	defer func() { _ = unix.Close(fd) }()
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s: %w", ns.Name, err)
	}
	var want, got unix.Stat_t
	if err := unix.Fstat(fd, &want); err != nil {
		return fmt.Errorf("stat %s: %w", ns.Path(), err)
	}
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	if err := unix.Stat(self, &got); err != nil {
		return fmt.Errorf("stat %s: %w", self, err)
	}
	if got.Ino != want.Ino || got.Dev != want.Dev {
		return fmt.Errorf("thread is not in namespace %s after setns", ns.Name)
	}
	return nil
}
