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
	"time"

	"github.com/edgewatcher/edgewatcher/pkg/cloudcore"
	"github.com/edgewatcher/edgewatcher/pkg/keadm"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// DefaultKubeEdgeVersion is the release commands install when neither the request nor the server names one.
const DefaultKubeEdgeVersion = "v1.23.1"

// CommandRequest asks for the keadm join command of a node; when the node has no reservation
// yet, Reserve says what to reserve.
type CommandRequest struct {
	// Reserve names the node and, for a new reservation, its address, spec and requester.
	Reserve ReserveRequest
	// KubeEdgeVersion overrides the reservation's and the server's version.
	KubeEdgeVersion string
	// RuntimeEndpoint, CgroupDriver and ImageRepository override the server defaults.
	RuntimeEndpoint string
	// RuntimeType overrides keadm's --runtimetype (v1.6 – v1.15); the zero value lets keadm.Build decide.
	RuntimeType keadm.RuntimeType
	// CgroupDriver is cgroupfs or systemd.
	CgroupDriver string
	// ImageRepository is the registry prefix for KubeEdge images.
	ImageRepository string
	// CloudCoreAddress overrides the address the edge dials.
	CloudCoreAddress string
	// TokenTTL is the lifetime of a minted token; nil means the default.
	TokenTTL *time.Duration
	// Strict turns keadm limitations into errors.
	Strict bool
}

// CommandResult is a generated command and what it was built from.
type CommandResult struct {
	// Command is the keadm command.
	Command *keadm.Command
	// Reservation is the node's reservation (a preview with DryRun).
	Reservation *reservation.Reservation
	// Token is the embedded token.
	Token *Token
	// Endpoint is the resolved cloudcore endpoint.
	Endpoint *cloudcore.Endpoint
}

// Command checks the request, reads the cloudcore endpoint and the token, reserves the node
// (or reuses the caller's reservation) and builds the keadm command. Nothing is written when
// a check or the configuration fails.
func (s *Service) Command(ctx context.Context, req CommandRequest) (*CommandResult, error) {
	preview, existing := s.existingReservation(req.Reserve)
	if !existing {
		dry := req.Reserve
		dry.DryRun, dry.Reuse = true, true
		var err error
		if preview, _, err = s.Reserve(ctx, dry); err != nil {
			return nil, err
		}
	}
	endpoint, err := s.Endpoint(req.CloudCoreAddress)
	if err != nil {
		return nil, err
	}
	token, err := s.Token(req.TokenTTL)
	if err != nil {
		return nil, err
	}
	input := s.keadmInput(req, preview, endpoint, token)
	if _, err := keadm.Build(input); err != nil {
		return nil, commandError(err)
	}
	r := preview
	if !existing && !req.Reserve.DryRun {
		real := req.Reserve
		real.Reuse = true
		if r, _, err = s.Reserve(ctx, real); err != nil {
			return nil, err
		}
	}
	input = s.keadmInput(req, r, endpoint, token)
	cmd, err := keadm.Build(input)
	if err != nil {
		return nil, commandError(err)
	}
	return &CommandResult{Command: cmd, Reservation: r, Token: token, Endpoint: endpoint}, nil
}

// existingReservation returns the live reservation of the node when the request asks for
// nothing it contradicts: any authorized caller may get the command of a reserved node.
func (s *Service) existingReservation(req ReserveRequest) (*reservation.Reservation, bool) {
	r, ok := s.Reservations.Get(req.NodeName)
	if !ok || r.Expired(s.now()) || s.State.NodeExists(req.NodeName) || !s.State.Synced() {
		return nil, false
	}
	if req.IP != "" {
		addr, err := s.CheckIPSyntax(req.IP)
		if err != nil || addr != r.IP {
			return nil, false
		}
	}
	return r, true
}

// cloudCoreConfigSource names the cloudcore ConfigMap in errors, as package cloudcore does.
const cloudCoreConfigSource = "ConfigMap " + cloudcore.Namespace + "/" + cloudcore.ConfigMapName

// Endpoint resolves where edges reach cloudcore from kubeedge/cloudcore (ConfigMap and
// Service), the server's overrides and address, when not empty.
func (s *Service) Endpoint(address string) (*cloudcore.Endpoint, error) {
	cm := s.State.CloudCoreConfig()
	if cm == nil {
		return nil, &Unavailable{Source: cloudCoreConfigSource, Err: errors.New("not found; is cloudcore installed?")}
	}
	cfg, err := cloudcore.ParseConfigMap(cm)
	if err != nil {
		return nil, &Unavailable{Source: cloudCoreConfigSource, Err: err}
	}
	o := s.Defaults.CloudCore
	if address != "" {
		o.Host = address
	}
	ep, err := cloudcore.ResolveEndpoint(cfg, s.State.CloudCoreService(), o)
	if err != nil {
		return nil, &Unavailable{Source: cloudCoreConfigSource, Err: err}
	}
	return ep, nil
}

func (s *Service) keadmInput(req CommandRequest, r *reservation.Reservation, ep *cloudcore.Endpoint, token *Token) keadm.Input {
	in := keadm.Input{
		Version: first(req.KubeEdgeVersion, r.Spec.KubeEdgeVersion, s.Defaults.KubeEdgeVersion, DefaultKubeEdgeVersion),
		CloudCore: keadm.CloudCore{Host: ep.Host, WebSocketPort: ep.WebSocket.Number, QUICPort: ep.QUIC.Number,
			HTTPSPort: ep.HTTPS.Number, TunnelPort: ep.Tunnel.Number},
		Token:           token.Value,
		NodeName:        r.NodeName,
		Labels:          r.Spec.Labels,
		RuntimeEndpoint: first(req.RuntimeEndpoint, s.Defaults.RuntimeEndpoint),
		RuntimeType:     req.RuntimeType,
		CgroupDriver:    first(req.CgroupDriver, s.Defaults.CgroupDriver),
		ImageRepository: first(req.ImageRepository, s.Defaults.ImageRepository),
		EdgeStream:      ep.StreamEnabled,
		Strict:          req.Strict,
	}
	if r.IP.IsValid() {
		in.NodeIP = r.IP.String()
	}
	if req.RuntimeType == keadm.RuntimeTypeDocker {
		// dockershim has no endpoint to name; a configured CRI socket would contradict it.
		in.RuntimeEndpoint = ""
	}
	// Taints are not passed to keadm, which cannot express them: the server applies the
	// reserved taints when the Node registers (see reservation.Collector).
	return in
}

// commandError classifies a keadm.Build error as the request's fault.
func commandError(err error) error {
	return &InvalidRequest{Err: err}
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
