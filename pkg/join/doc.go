// Package join is the join flow shared by the EdgeNode API and the console's legacy route:
// it checks a node name and IP address against every Node, reservation and cloudcore
// address, reserves them, reads or mints the join token, and builds the keadm command.
//
// Every check is answered from indexed in-memory state (the Node informer's store, the
// ipam.Index and the reservation Tracker); no request lists Nodes. The package never imports
// apiserver packages; callers map its errors (FieldError, Unavailable, ConflictError) to
// their own wire format.
package join
