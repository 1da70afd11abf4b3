// Package legacy serves the KubeSphere console's legacy join endpoint,
// GET /api/v1alpha1/nodes/join?node_name=&node_ip=&add_default_taint=, with the wire format the
// console parses (see reference/kubesphere-contract.md §1, §2 and §8).
//
// The route only translates: query parameters become a Request, a Joiner does the domain work,
// and the Joiner's result or error becomes the console's JSON body. Error messages are built so
// that the console's case-sensitive substring checks hold: a message about the node name contains
// "name" and never "IP", a message about the node IP contains "IP" and never "name", and every
// other message contains neither.
//
// Authorization of the route is mapped deliberately (RequestInfoResolver): it is `create` on
// `edgenodes/joincommand` in kubeedge.kubesphere.io/v1alpha1, never the default parse of its path
// ("get" core "nodes" named "join"). NewPlainHandler protects the plain-HTTP listener that
// ks-apiserver's generic proxy talks to; on the secure port the generic API server's filters do it.
package legacy
