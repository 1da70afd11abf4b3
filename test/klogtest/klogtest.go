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
