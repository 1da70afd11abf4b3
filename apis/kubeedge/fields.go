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

package kubeedge

import (
	"strconv"

	"k8s.io/apimachinery/pkg/fields"
)

// Field selector labels supported on edgenodes.
const (
	FieldName        = "metadata.name"
	FieldPhase       = "status.phase"
	FieldReadiness   = "status.readiness"
	FieldInternalIP  = "status.internalIP"
	FieldKubeletPort = "status.kubeletPort"
)

// SelectableFieldLabels lists the field selector labels supported on edgenodes.
var SelectableFieldLabels = []string{FieldName, FieldPhase, FieldReadiness, FieldInternalIP, FieldKubeletPort}

// IsSelectableField reports whether label may be used in an edgenodes field selector.
func IsSelectableField(label string) bool {
	for _, l := range SelectableFieldLabels {
		if l == label {
			return true
		}
	}
	return false
}

// Fields presents n's selectable fields to a field selector without building a map.
func Fields(n *EdgeNode) fields.Fields { return edgeNodeFields{n} }

type edgeNodeFields struct{ n *EdgeNode }

func (f edgeNodeFields) Has(field string) bool { return IsSelectableField(field) }

func (f edgeNodeFields) Get(field string) string {
	switch field {
	case FieldName:
		return f.n.Name
	case FieldPhase:
		return string(f.n.Status.Phase)
	case FieldReadiness:
		return string(f.n.Status.Readiness)
	case FieldInternalIP:
		return f.n.Status.InternalIP
	case FieldKubeletPort:
		if f.n.Status.KubeletPort != 0 {
			return strconv.Itoa(int(f.n.Status.KubeletPort))
		}
	}
	return ""
}
