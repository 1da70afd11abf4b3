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

package join

import (
	"context"
	"errors"
	"fmt"

	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// Name and version key of the optional kubeedge/edge-watcher-config ConfigMap read by the legacy route (its
// mirror keys are in mirror.go).
const (
	LegacyConfigName = "edge-watcher-config"
	legacyVersionKey = "version"
)

// legacyConfigSource names kubeedge/edge-watcher-config in errors.
const legacyConfigSource = "ConfigMap kubeedge/" + LegacyConfigName

// EdgeTaintKey is the key of the console's default taint, node-role.kubernetes.io/edge="":NoSchedule.
const EdgeTaintKey = "node-role.kubernetes.io/edge"

// LegacyRequest is one call of the console's GET /api/v1alpha1/nodes/join.
type LegacyRequest struct {
	// NodeName and NodeIP are the console's node_name and node_ip.
	NodeName string
	// NodeIP is the address as typed.
	NodeIP string
	// IPOptional allows an empty NodeIP (KubeSphere 4.1 has no IP field): the address is then
	// allocated from the pools, or, without pools, only the name is reserved and edgecore picks its address.
	IPOptional bool
	// Options are the optional console parameters.
	Options ConsoleOptions
	// DefaultTaint is add_default_taint; nil (absent) marks the console's field validators, which only check.
	DefaultTaint *bool
	// Requester is the authenticated user.
	Requester string
}

// LegacyCommand answers the console: checks in the console's order (name syntax, IP syntax,
// name in use, IP in use, configuration), reserves unless DefaultTaint is nil, and renders
// the one-line command that downloads keadm and joins.
func (s *Service) LegacyCommand(ctx context.Context, req LegacyRequest) (string, error) {
	spec := reservation.Spec{}
	if req.DefaultTaint != nil && *req.DefaultTaint {
		spec.Taints = []reservation.Taint{{Key: EdgeTaintKey, Effect: keadm.TaintEffectNoSchedule}}
	}
	if req.NodeIP == "" && !req.IPOptional {
		// A 3.x console always sends an address; never allocate for it.
		return "", &FieldError{Field: FieldIP, Reason: ReasonInvalid, Value: "", Detail: "the address is empty"}
	}
	version, mirror, err := s.legacySettings()
	if err != nil {
		return "", s.afterFieldChecks(ctx, req, err)
	}
	opts, err := resolveConsoleOptions(req.Options, version)
	if err != nil {
		return "", s.afterFieldChecks(ctx, req, err)
	}
	version = opts.version
	spec.KubeEdgeVersion = version
	res, err := s.Command(ctx, CommandRequest{
		Reserve: ReserveRequest{NodeName: req.NodeName, IP: req.NodeIP, Spec: spec, Requester: req.Requester,
			Reuse: true, DryRun: req.DefaultTaint == nil, NameOnly: req.IPOptional},
		KubeEdgeVersion: version,
		RuntimeEndpoint: opts.runtimeEndpoint,
		RuntimeType:     opts.runtimeType,
		ImageRepository: opts.imageRepository,
	})
	if err != nil {
		return "", err
	}
	logAddressChoice(req, res)
	line, err := keadm.RenderLegacy(keadm.LegacyParams{Version: version, Mirror: mirror, Args: res.Command.Argv[1:]})
	if err != nil {
		return "", &Unavailable{Source: legacyConfigSource, Err: err}
	}
	return line, nil
}

// afterFieldChecks reports the field checks' error if there is one, else err: a broken
// configuration never hides a name or IP problem from the console.
func (s *Service) afterFieldChecks(ctx context.Context, req LegacyRequest, err error) error {
	if _, _, ferr := s.Reserve(ctx, ReserveRequest{NodeName: req.NodeName, IP: req.NodeIP, Requester: req.Requester,
		Reuse: true, DryRun: true, NameOnly: req.IPOptional}); ferr != nil {
		return ferr
	}
	return err
}

// legacySettings reads the version and the download mirror from kubeedge/edge-watcher-config, falling
// back to the server defaults.
func (s *Service) legacySettings() (version string, mirror keadm.Mirror, err error) {
	version = first(s.Defaults.KubeEdgeVersion, DefaultKubeEdgeVersion)
	mirror = s.Defaults.Mirror
	cm := s.State.LegacyConfig()
	if cm == nil {
		return version, mirror, nil
	}
	src := legacyConfigSource
	if v, ok := cm.Data[legacyVersionKey]; ok {
		if _, perr := keadm.ParseVersion(v); perr != nil {
			return "", keadm.Mirror{}, &Unavailable{Source: src, Err: fmt.Errorf("key %s: %w", legacyVersionKey, perr)}
		}
		version = v
	}
	m, ok, merr := consoleMirror(cm.Data, s.Defaults.LegacyRegion)
	if merr != nil {
		return "", keadm.Mirror{}, &Unavailable{Source: src, Err: merr}
	}
	if ok {
		mirror = m
	}
	return version, mirror, nil
}

// IsUnavailable reports whether err is an Unavailable.
func IsUnavailable(err error) bool {
	var u *Unavailable
	return errors.As(err, &u)
}
