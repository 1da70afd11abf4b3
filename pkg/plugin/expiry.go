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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

// describeExpiry renders an expiry time as RFC 3339 followed by how far it is from now.
func describeExpiry(at metav1.Time, now time.Time) string {
	ts := at.UTC().Format(time.RFC3339)
	if d := at.Sub(now); d > 0 {
		return ts + " (in " + duration.HumanDuration(d) + ")"
	}
	return ts + " (" + duration.HumanDuration(now.Sub(at.Time)) + " ago)"
}
