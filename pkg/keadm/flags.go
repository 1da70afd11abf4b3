package keadm

// Flag names of `keadm join`, exactly as upstream registers them.
const (
	FlagCloudCoreIPPort       = "cloudcore-ipport"
	FlagToken                 = "token"
	FlagEdgeNodeName          = "edgenode-name"
	FlagKubeEdgeVersion       = "kubeedge-version"
	FlagCgroupDriver          = "cgroupdriver"
	FlagCertPath              = "certPath"
	FlagRemoteRuntimeEndpoint = "remote-runtime-endpoint"
	FlagRuntimeType           = "runtimetype"
	FlagCertPort              = "certport"
	FlagTarballPath           = "tarballpath"
	FlagLabels                = "labels"
	FlagWithMQTT              = "with-mqtt"
	FlagImageRepository       = "image-repository"
	FlagHubProtocol           = "hub-protocol"
	FlagSet                   = "set"
	FlagPreRun                = "pre-run"
	FlagPostRun               = "post-run"
)

// minorRange is an inclusive range of v1 minor releases; last == 0 means "still registered in MaxMinor".
type minorRange struct {
	first, last int
}

// flagRanges is the flag table of kubeedge-facts §1.2 (upstream `cmd.Flags()` at each tag).
var flagRanges = map[string]minorRange{
	FlagCloudCoreIPPort:       {first: MinMinor},
	FlagToken:                 {first: MinMinor},
	FlagEdgeNodeName:          {first: MinMinor},
	FlagKubeEdgeVersion:       {first: MinMinor},
	FlagCgroupDriver:          {first: MinMinor},
	FlagCertPath:              {first: MinMinor},
	FlagRemoteRuntimeEndpoint: {first: MinMinor},
	FlagRuntimeType:           {first: MinMinor, last: 15},
	FlagCertPort:              {first: MinMinor},
	FlagTarballPath:           {first: MinMinor},
	FlagLabels:                {first: 8},
	FlagWithMQTT:              {first: 10, last: 20},
	FlagImageRepository:       {first: 11},
	FlagHubProtocol:           {first: 16},
	FlagSet:                   {first: 18},
	FlagPreRun:                {first: 20},
	FlagPostRun:               {first: 20},
}

// Supports reports whether `keadm join` of release v registers the named flag.
func Supports(v Version, flag string) bool {
	r, ok := flagRanges[flag]
	if !ok {
		return false
	}
	return v.Minor >= r.first && (r.last == 0 || v.Minor <= r.last)
}
