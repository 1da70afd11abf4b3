package legacy

import (
	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
)

// Paths and query parameters of the legacy route.
const (
	// RootPath is the root of the legacy WebService.
	RootPath = "/api/v1alpha1"
	// JoinPath is the canonical path of the join route; JoinPath+"/" is served too.
	JoinPath = RootPath + routePath

	// ParamNodeName is the query parameter that carries the node name.
	ParamNodeName = "node_name"
	// ParamNodeIP is the query parameter that carries the node IP.
	ParamNodeIP = "node_ip"
	// ParamDefaultTaint is the optional boolean query parameter that asks for the default edge taint.
	ParamDefaultTaint = "add_default_taint"

	routePath = "/nodes/join"
)

// The authorization the legacy route is mapped to: create on edgenodes/joincommand.
const (
	authzVerb        = "create"
	authzResource    = "edgenodes"
	authzSubresource = "joincommand"
)

var authzGroupVersion = v1alpha1.SchemeGroupVersion

// isJoinPath reports whether path is exactly one of the legacy route's paths. The resolver and
// the route both use it, so the route never serves a path whose authorization was not remapped.
func isJoinPath(path string) bool {
	return path == JoinPath || path == JoinPath+"/"
}
