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
