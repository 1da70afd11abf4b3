// Package ipam holds the IP address rules shared by the EdgeWatcher API server and the forwarding syncer:
// strict normalisation, special-address classification, edge IP pools, Service CIDR membership, node-name
// validation and a thread-safe index of who claims which address.
//
// The package is pure: it talks to no API server and imports no apiserver packages, so both binaries use
// the same rules and the rules are unit-tested in isolation.
package ipam
