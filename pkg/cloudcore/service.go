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

package cloudcore

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// listenerSpec identifies one cloudcore listener for Service port matching.
type listenerSpec struct {
	// what names the listener in sources and warnings, for example "websocket".
	what string
	// portName is the name the KubeEdge chart gives the Service port.
	portName string
	// protocol is the transport the listener uses.
	protocol corev1.Protocol
}

// matchServicePort finds the Service port that forwards to containerPort, by number first and
// then by the chart's port name, preferring the listener's protocol. It returns nil if none does.
func matchServicePort(svc *corev1.Service, l listenerSpec, containerPort int32) *corev1.ServicePort {
	byNumber := func(sp *corev1.ServicePort) bool { return targetNumber(sp) == containerPort }
	byName := func(sp *corev1.ServicePort) bool { return sp.Name == l.portName }
	for _, match := range []func(*corev1.ServicePort) bool{byNumber, byName} {
		var fallback *corev1.ServicePort
		for i := range svc.Spec.Ports {
			sp := &svc.Spec.Ports[i]
			if !match(sp) {
				continue
			}
			if protocolOf(sp) == l.protocol {
				return sp
			}
			if fallback == nil {
				fallback = sp
			}
		}
		if fallback != nil {
			return fallback
		}
	}
	return nil
}

// targetNumber is the container port a Service port forwards to, or 0 when it names a port.
func targetNumber(sp *corev1.ServicePort) int32 {
	switch {
	case sp.TargetPort.Type == intstr.String:
		return 0
	case sp.TargetPort.IntVal != 0:
		return sp.TargetPort.IntVal
	default:
		// An unset targetPort defaults to port.
		return sp.Port
	}
}

// protocolOf is the Service port's protocol, TCP when unset.
func protocolOf(sp *corev1.ServicePort) corev1.Protocol {
	if sp.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return sp.Protocol
}
