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

package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge/v1alpha1"
	"github.com/edgewatcher/edgewatcher/test/framework"
)

const (
	// edgeNodesPath is the edgenodes collection, through kube-apiserver or on a replica.
	edgeNodesPath = "/apis/kubeedge.kubesphere.io/v1alpha1/edgenodes"
	// requestTimeout bounds every request; one still unanswered then did not fail clearly.
	requestTimeout = 30 * time.Second
)

// aggregatedClient returns a plain HTTP client for kube-apiserver as admin, which the aggregator proxies to the
// registered replica. Unlike client-go it never retries, so every outcome is what one request got.
func aggregatedClient(t *testing.T) *http.Client {
	t.Helper()
	c, err := rest.HTTPClientFor(cp.RestConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// replicaClient returns a plain HTTP client that talks straight to one replica as admin (group system:masters,
// so no authorization call leaves the replica), verifying its serving certificate.
func replicaClient(t *testing.T, replica *framework.EdgeWatcher) *http.Client {
	t.Helper()
	admin, err := cp.PKI.ClientCA.IssueClient("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := replica.TLSConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, MaxIdleConnsPerHost: 64}}
}

// reservationBody is an EdgeNode create that reserves name and ip.
func reservationBody(name, ip string) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"EdgeNode","metadata":{"name":%q},"spec":{"internalIP":%q}}`, name, ip))
}

// joinCommandBody is a joincommand request that reserves its node with ip when it is not reserved yet.
func joinCommandBody(ip string) []byte {
	return []byte(fmt.Sprintf(`{"apiVersion":"kubeedge.kubesphere.io/v1alpha1","kind":"JoinCommand","spec":{"internalIP":%q}}`, ip))
}

// reserve sends one reservation of name and ip to base (kube-apiserver or a replica): an EdgeNode create, or a
// joincommand that reserves. It returns the outcome and, when it was acknowledged, what the answer says was
// reserved (the UID only for a create), or why the answer is wrong data.
func reserve(c *http.Client, base, name, ip string, joinCommand bool) (o outcome, uid string, wrong string) {
	if !joinCommand {
		o = do(c, http.MethodPost, base+edgeNodesPath, reservationBody(name, ip))
		if !o.ok() {
			return o, "", ""
		}
		var en v1alpha1.EdgeNode
		switch {
		case json.Unmarshal(o.body, &en) != nil:
			return o, "", "not an EdgeNode: " + truncate(o.body)
		case o.code != http.StatusCreated || en.Name != name || en.Spec.InternalIP != ip || en.UID == "" || en.Status.Phase != v1alpha1.EdgeNodePending:
			return o, "", fmt.Sprintf("create %s %s answered %d: name %q, IP %q, UID %q, phase %q", name, ip, o.code, en.Name, en.Spec.InternalIP, en.UID, en.Status.Phase)
		}
		return o, string(en.UID), ""
	}
	o = do(c, http.MethodPost, base+edgeNodesPath+"/"+name+"/joincommand", joinCommandBody(ip))
	if !o.ok() {
		return o, "", ""
	}
	var jc v1alpha1.JoinCommand
	switch {
	case json.Unmarshal(o.body, &jc) != nil:
		return o, "", "not a JoinCommand: " + truncate(o.body)
	case o.code != http.StatusCreated || jc.Name != name || jc.Status.InternalIP != ip || jc.Status.Command == "":
		return o, "", fmt.Sprintf("joincommand %s %s answered %d: name %q, IP %q, command %q", name, ip, o.code, jc.Name, jc.Status.InternalIP, jc.Status.Command)
	}
	return o, "", ""
}
