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
	"context"

	"k8s.io/apiserver/pkg/authentication/user"
)

// Request is one console join request.
type Request struct {
	// NodeName is the node_name query value.
	NodeName string
	// NodeIP is the node_ip query value; empty only on a route where the console has no IP field.
	NodeIP string
	// IPOptional is true on a route where the console has no IP field (KubeSphere 4.1): without
	// NodeIP the Joiner allocates from a pool or reserves the name only.
	IPOptional bool
	// Version is the optional KubeEdge release to install; empty means the server's.
	Version string
	// Runtime is the optional container runtime of the edge node (containerd or docker); empty means the server's.
	Runtime string
	// ImageRepository is the optional registry prefix of the KubeEdge images; empty means the server's.
	ImageRepository string
	// DefaultTaint is nil when add_default_taint is absent (the console's per-field validator calls),
	// else the parsed bool. Absent means "check only": the Joiner must not reserve.
	DefaultTaint *bool
	// User is the authenticated caller; it may be nil with --legacy-auth=none.
	User user.Info
}

// Joiner validates, reserves (unless DefaultTaint is nil) and renders the one-line console command.
//
// Errors are *join.FieldError (name or IP invalid or in use) and *join.Unavailable (a dependency
// is missing or not ready); anything else is an internal error. The Joiner owns the order of the
// checks: name syntax, IP syntax, name in use, IP in use, then configuration.
type Joiner interface {
	Join(ctx context.Context, req Request) (command string, err error)
}

// JoinerFunc adapts a function to the Joiner interface.
type JoinerFunc func(ctx context.Context, req Request) (string, error)

// Join implements Joiner.
func (f JoinerFunc) Join(ctx context.Context, req Request) (string, error) { return f(ctx, req) }

var _ Joiner = JoinerFunc(nil)
