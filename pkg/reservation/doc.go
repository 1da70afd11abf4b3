// Package reservation keeps EdgeNode reservations as coordination.k8s.io Leases.
//
// A reservation promises a node name and, optionally, an IP address to an edge node that
// has not joined yet. It is stored as two Leases in the server's namespace:
//
//	name.<node name>   holds the reservation itself (spec, requester, expiry)
//	ip.<address>       locks the address; its holderIdentity is the node name
//
// Creating a Lease is atomic in etcd, so when two server replicas race for the same name or
// address exactly one create succeeds; the loser rolls back what it took and reports who
// holds the contested value. The Lease duration is the reservation's TTL. Nothing but
// kube-apiserver stores state, so a reservation survives restarts of every replica.
package reservation
