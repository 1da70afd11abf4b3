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

// Package join is the join flow shared by the EdgeNode API and the console's legacy route:
// it checks a node name and IP address against every Node, reservation and cloudcore
// address, reserves them, reads or mints the join token, and builds the keadm command.
//
// Every check is answered from indexed in-memory state (the Node informer's store, the
// ipam.Index and the reservation Tracker); no request lists Nodes. The package never imports
// apiserver packages; callers map its errors (FieldError, Unavailable, ConflictError) to
// their own wire format.
package join
