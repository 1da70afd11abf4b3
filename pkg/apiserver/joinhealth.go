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

package apiserver

import (
	"net/http"

	"k8s.io/apiserver/pkg/server/healthz"

	"github.com/edgewatcher/edgewatcher/pkg/join"
)

// JoinHealthPath serves the join flow's dependency checks: /joinz for all of them, /joinz/<dependency> for one
// with its reason. It is not part of /readyz, since a broken KubeEdge object must not take the edgenodes API
// (and kubectl get edgenodes) down with it.
const JoinHealthPath = "/joinz"

// joinChecks returns one health check per dependency of the join flow, each checking now.
func joinChecks(svc *join.Service, monitor *join.DependencyMonitor) []healthz.HealthChecker {
	var checks []healthz.HealthChecker
	for _, name := range svc.DependencyNames() {
		checks = append(checks, healthz.NamedCheck(name, func(*http.Request) error {
			for _, d := range monitor.Update() {
				if d.Name == name {
					return d.Err
				}
			}
			return join.ErrNotSynced
		}))
	}
	return checks
}
