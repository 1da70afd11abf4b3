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

package reservation

import (
	"fmt"
	"net/netip"
	"time"
)

// ConflictError reports that another reservation holds the name or the address.
type ConflictError struct {
	// Field is "name" or "IP".
	Field string
	// Value is the contested name or address.
	Value string
	// Holder is the node name the value is reserved for.
	Holder string
	// Requester is who made the holding reservation, when known.
	Requester string
	// Expires is when the holding reservation lapses.
	Expires time.Time
}

// Error names the holder and when its reservation lapses.
func (e *ConflictError) Error() string {
	by := ""
	if e.Requester != "" {
		by = " by " + e.Requester
	}
	what := "node name"
	if e.Field == FieldIP {
		what = "address"
	}
	return fmt.Sprintf("%s %s is reserved for edge node %q%s until %s", what, e.Value, e.Holder, by,
		e.Expires.UTC().Format(time.RFC3339))
}

// Fields a ConflictError can be about.
const (
	FieldName = "name"
	FieldIP   = "IP"
)

func ipConflict(addr netip.Addr, holder string, expires time.Time) *ConflictError {
	return &ConflictError{Field: FieldIP, Value: addr.String(), Holder: holder, Expires: expires}
}
