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

// Package validation checks EdgeNode, JoinToken and JoinCommand requests at the API boundary.
package validation

import (
	"strings"

	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/keadm"
)

// maxTokenTTLSeconds bounds a requested token lifetime (the server clamps further).
const maxTokenTTLSeconds = 366 * 24 * 3600

var taintEffects = []string{keadm.TaintEffectNoSchedule, keadm.TaintEffectPreferNoSchedule, keadm.TaintEffectNoExecute}

// ValidateEdgeNodeCreate checks a reservation request. The internal IP is checked by the join
// flow, which knows the pools, the Service CIDRs and every address in use.
func ValidateEdgeNodeCreate(en *kubeedge.EdgeNode) field.ErrorList {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	if en.GenerateName != "" && en.Name == "" {
		errs = append(errs, field.Forbidden(meta.Child("generateName"), "an edge node needs an explicit name"))
	}
	for _, msg := range validation.IsDNS1123Subdomain(en.Name) {
		errs = append(errs, field.Invalid(meta.Child("name"), en.Name, msg))
	}
	return append(errs, ValidateReservationFields(en.Spec.Labels, en.Spec.Taints, en.Spec.KubeEdgeVersion, field.NewPath("spec"))...)
}

// ValidateReservationFields checks labels, taints and the KubeEdge version under path.
func ValidateReservationFields(labels map[string]string, taints []kubeedge.EdgeNodeTaint, version string, path *field.Path) field.ErrorList {
	errs := metav1validation.ValidateLabels(labels, path.Child("labels"))
	seen := map[string]bool{}
	for i, t := range taints {
		p := path.Child("taints").Index(i)
		for _, msg := range validation.IsQualifiedName(t.Key) {
			errs = append(errs, field.Invalid(p.Child("key"), t.Key, msg))
		}
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
		}
		if !contains(taintEffects, t.Effect) {
			errs = append(errs, field.NotSupported(p.Child("effect"), t.Effect, taintEffects))
		}
		if k := t.Key + ":" + t.Effect; seen[k] {
			errs = append(errs, field.Duplicate(p, k))
		} else {
			seen[k] = true
		}
	}
	if version != "" {
		if _, err := keadm.ParseVersion(version); err != nil {
			errs = append(errs, field.Invalid(path.Child("kubeEdgeVersion"), version, err.Error()))
		}
	}
	return errs
}

// ValidateJoinToken checks a token request.
func ValidateJoinToken(t *kubeedge.JoinToken) field.ErrorList {
	return validateTTL(t.Spec.TTLSeconds, field.NewPath("spec", "ttlSeconds"))
}

// ValidateJoinCommand checks a command request.
func ValidateJoinCommand(c *kubeedge.JoinCommand) field.ErrorList {
	spec := field.NewPath("spec")
	errs := ValidateReservationFields(c.Spec.Labels, c.Spec.Taints, c.Spec.KubeEdgeVersion, spec)
	errs = append(errs, validateTTL(c.Spec.TokenTTLSeconds, spec.Child("tokenTTLSeconds"))...)
	if d := c.Spec.CgroupDriver; d != "" && d != keadm.CgroupDriverCgroupfs && d != keadm.CgroupDriverSystemd {
		errs = append(errs, field.NotSupported(spec.Child("cgroupDriver"), d, []string{keadm.CgroupDriverCgroupfs, keadm.CgroupDriverSystemd}))
	}
	if a := c.Spec.CloudCoreAddress; a != "" && strings.ContainsAny(a, " \t\r\n") {
		errs = append(errs, field.Invalid(spec.Child("cloudCoreAddress"), a, "must be an IP address or DNS name"))
	}
	return errs
}

func validateTTL(ttl *int64, path *field.Path) field.ErrorList {
	if ttl != nil && (*ttl < 60 || *ttl > maxTokenTTLSeconds) {
		return field.ErrorList{field.Invalid(path, *ttl, "must be between 60 seconds and one year")}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
