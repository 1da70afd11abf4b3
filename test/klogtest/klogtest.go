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

// Package klogtest captures klog's output in unit tests.
package klogtest

import (
	"bytes"
	"io"
	"testing"

	"k8s.io/klog/v2"
)

// Capture sends klog's output to a buffer, each line once, until the test ends; read it after klog.Flush.
func Capture(tb testing.TB) *bytes.Buffer {
	tb.Helper()
	state := klog.CaptureState()
	var buf bytes.Buffer
	klog.LogToStderr(false)
	// klog writes an error to the INFO, WARNING and ERROR outputs: keep only INFO.
	klog.SetOutput(io.Discard)
	klog.SetOutputBySeverity("INFO", &buf)
	tb.Cleanup(state.Restore)
	return &buf
}
