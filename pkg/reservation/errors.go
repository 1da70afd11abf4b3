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
