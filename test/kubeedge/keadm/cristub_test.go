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

package keadm_test

import (
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/emptypb"
)

// criStub is a container runtime (CRI) endpoint on a unix socket that answers the calls `keadm join` makes
// before it writes edgecore.yaml: it reports every image as present, so nothing is pulled, and accepts the pod,
// the container and the copy command that would take edgecore out of kubeedge/installation-package. It runs
// nothing and copies nothing, so keadm installs no edgecore binary.
//
// It serves every service name (runtime.v1 for keadm v1.19 and later, runtime.v1alpha2 for v1.12) through
// one handler that writes the few response fields keadm reads with protowire, which keeps the project free of
// a CRI API dependency. Requests are not decoded: the stub only records their method names.
type criStub struct {
	// endpoint is the socket as keadm's --remote-runtime-endpoint, unix:///....
	endpoint string

	mu    sync.Mutex
	calls []string
}

// Placeholders that the stub returns where keadm requires a non-empty value.
const (
	stubImageID     = "sha256:0000000000000000000000000000000000000000000000000000000000000001"
	stubSandboxID   = "edgewatcher-stub-sandbox"
	stubContainerID = "edgewatcher-stub-container"
	stubImageSize   = 1 << 20
)

// startCRIStub serves a criStub until the test ends. The socket lives in a short directory of its own: a unix
// socket path must fit in 108 bytes, and keadm's endpoint must be a plain absolute path.
func startCRIStub(t *testing.T) *criStub {
	t.Helper()
	dir, err := os.MkdirTemp("", "cri-stub-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "cri.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s := &criStub{endpoint: "unix://" + sock}
	srv := grpc.NewServer(grpc.UnknownServiceHandler(s.handle))
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return s
}

// Calls returns the full method names called so far, in order.
func (s *criStub) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// handle answers one unary call of any CRI method.
func (s *criStub) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	// Any message type reads the request: its fields are kept as unknown fields and never looked at.
	if err := stream.RecvMsg(&emptypb.Empty{}); err != nil {
		return err
	}
	s.mu.Lock()
	s.calls = append(s.calls, method)
	s.mu.Unlock()

	var b []byte
	switch path.Base(method) {
	case "Version":
		// VersionResponse: version, runtime_name, runtime_version, runtime_api_version.
		b = appendString(b, 1, "0.1.0")
		b = appendString(b, 2, "edgewatcher-cri-stub")
		b = appendString(b, 3, "0.0.0")
		b = appendString(b, 4, "v1")
	case "ImageStatus":
		// ImageStatusResponse.image: an Image with an id and a size, which keadm takes as "already pulled".
		image := appendString(nil, 1, stubImageID)
		image = protowire.AppendTag(image, 4, protowire.VarintType)
		image = protowire.AppendVarint(image, stubImageSize)
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, image)
	case "PullImage":
		return status.Error(codes.Unimplemented, "the CRI stub has no registry: keadm must find every image present")
	case "RunPodSandbox":
		b = appendString(b, 1, stubSandboxID)
	case "CreateContainer":
		b = appendString(b, 1, stubContainerID)
	}
	// Every other method (StartContainer, ExecSync with exit code 0, Stop*, Remove*) succeeds with an empty reply.
	resp := &emptypb.Empty{}
	resp.ProtoReflect().SetUnknown(b)
	return stream.SendMsg(resp)
}

// appendString appends a protobuf string field.
func appendString(b []byte, num protowire.Number, v string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, v)
}
