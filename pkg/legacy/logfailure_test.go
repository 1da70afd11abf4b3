package legacy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"k8s.io/klog/v2"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// TestUnavailableIsNotLoggedPerRequest checks that a request meeting a missing KubeEdge object logs nothing at
// the default verbosity (the dependency monitor logs the change once), while an internal error still does.
func TestUnavailableIsNotLoggedPerRequest(t *testing.T) {
	state := klog.CaptureState()
	t.Cleanup(state.Restore)
	var buf bytes.Buffer
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	klog.SetOutputBySeverity("INFO", &buf)
	jr := Request{NodeName: "edge-1", NodeIP: "10.0.0.5"}
	unavailable := &join.Unavailable{Source: "ConfigMap kubeedge/cloudcore", Err: errors.New("not found; is cloudcore installed?")}
	for range 3 {
		logFailure(jr, failureFor(unavailable), unavailable)
	}
	klog.Flush()
	if buf.Len() != 0 {
		t.Errorf("503s logged at the default verbosity:\n%s", buf.String())
	}
	internal := errors.New("boom")
	logFailure(jr, failureFor(internal), internal)
	klog.Flush()
	if !strings.Contains(buf.String(), "Legacy join failed") || failureFor(internal).code != http.StatusInternalServerError {
		t.Errorf("an internal error was not logged:\n%s", buf.String())
	}
}
