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

package edgenode

import (
	"context"
	"time"

	"k8s.io/apiserver/pkg/authorization/authorizer"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// Joiner is the join flow behind create and the jointoken and joincommand subresources.
type Joiner interface {
	// Reserve checks and reserves a node name and address.
	Reserve(ctx context.Context, req join.ReserveRequest) (*reservation.Reservation, bool, error)
	// Command builds the keadm command, reserving the node when needed.
	Command(ctx context.Context, req join.CommandRequest) (*join.CommandResult, error)
	// Token returns a join token.
	Token(ttl *time.Duration) (*join.Token, error)
}

// Releaser deletes reservations.
type Releaser interface {
	// Release deletes the reservation of node and its address lock.
	Release(ctx context.Context, node string) (*reservation.Reservation, error)
}

// Writes is what the writing verbs of edgenodes need.
type Writes struct {
	// Join is the join flow.
	Join Joiner
	// Reservations deletes reservations.
	Reservations Releaser
	// Nodes deletes joined Nodes.
	Nodes corev1client.NodesGetter
	// Authorizer checks that a caller may delete a joined Node.
	Authorizer authorizer.Authorizer
}
