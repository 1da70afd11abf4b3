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
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// errorMessage formats err as kubectl's cmdutil.CheckErr does: "Error from server (Conflict): ...",
// "The JoinCommand "x" is invalid: ...", connection failures, and "error: ..." for everything else.
func errorMessage(err error) string {
	if msg, ok := invalidMessage(err); ok {
		return msg
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		switch {
		case s.Reason == metav1.StatusReasonUnauthorized:
			return fmt.Sprintf("error: You must be logged in to the server (%s)", s.Message)
		case s.Reason != "":
			return fmt.Sprintf("Error from server (%s): %s", s.Reason, s.Message)
		default:
			return "Error from server: " + s.Message
		}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if strings.Contains(uerr.Err.Error(), "connection refused") {
			host := uerr.URL
			if u, perr := url.Parse(uerr.URL); perr == nil {
				host = u.Host
			}
			return fmt.Sprintf("The connection to the server %s was refused - did you specify the right host or port?", host)
		}
		return fmt.Sprintf("Unable to connect to the server: %v", uerr.Err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "error: ") {
		msg = "error: " + msg
	}
	return msg
}

// invalidMessage formats a 422 Invalid status as kubectl does, one line per cause.
func invalidMessage(err error) (string, bool) {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Reason != metav1.StatusReasonInvalid {
		return "", false
	}
	details := status.Status().Details
	if details == nil {
		return "The request is invalid", true
	}
	kind := details.Kind
	if details.Group != "" {
		kind += "." + details.Group
	}
	prefix := fmt.Sprintf("The %s %q is invalid", kind, details.Name)
	var causes []string
	seen := map[string]bool{}
	for _, c := range details.Causes {
		msg := c.Message
		if c.Field != "" {
			msg = c.Field + ": " + msg
		}
		if !seen[msg] {
			seen[msg] = true
			causes = append(causes, msg)
		}
	}
	switch len(causes) {
	case 0:
		return prefix, true
	case 1:
		return prefix + ": " + causes[0], true
	default:
		return prefix + ": \n* " + strings.Join(causes, "\n* "), true
	}
}
