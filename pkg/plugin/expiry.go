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
