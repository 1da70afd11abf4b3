package edgeview

import (
	"errors"
	"fmt"
)

// ErrNotSynced is returned while the Node informer has not finished its initial list.
var ErrNotSynced = errors.New("the edge node cache has not synced with the API server yet")

// ResourceVersionTooOldError means the changes after the requested resource version are gone.
type ResourceVersionTooOldError struct {
	Requested, Oldest uint64
}

func (e *ResourceVersionTooOldError) Error() string {
	return fmt.Sprintf("too old resource version: %d (%d)", e.Requested, e.Oldest)
}

// ResourceVersionTooLargeError means the cache did not reach the requested resource version in time.
type ResourceVersionTooLargeError struct {
	Requested, Current uint64
}

func (e *ResourceVersionTooLargeError) Error() string {
	return fmt.Sprintf("too large resource version: %d, current: %d", e.Requested, e.Current)
}

// InvalidResourceVersionError means a resource version is not a decimal unsigned integer.
type InvalidResourceVersionError struct {
	Value string
}

func (e *InvalidResourceVersionError) Error() string {
	return fmt.Sprintf("invalid resource version %q: must be a decimal unsigned integer", e.Value)
}
