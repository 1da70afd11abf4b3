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
