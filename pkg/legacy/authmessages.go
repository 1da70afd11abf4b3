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

package legacy

// unauthorizedMessage is the 401 message of mode. It names what to configure and is the same for a
// missing, unknown, expired or malformed credential, so that it tells a caller nothing about how
// close a credential came. Like every message the package sends, it contains neither "name" nor "IP".
func unauthorizedMessage(mode AuthMode) string {
	switch mode {
	case AuthWebhook:
		return neutralMessage("Unauthorized: the bearer token was not accepted by the TokenReview webhook of " +
			"--legacy-token-webhook-config-file (--legacy-auth=webhook). Sign in to the KubeSphere console again; " +
			"operators: check that the file points at ks-apiserver's /oauth/authenticate.")
	case AuthProxyHeaders:
		return neutralMessage("Unauthorized: this listener trusts only the X-Remote-User header that ks-apiserver " +
			"sets, from the networks of --legacy-trusted-proxy-cidrs (--legacy-auth=proxy-headers).")
	default:
		return neutralMessage("Unauthorized: the bearer token was not accepted by kube-apiserver's TokenReview " +
			"(--legacy-auth=delegated). For KubeSphere console tokens that kube-apiserver does not trust, use " +
			"--legacy-auth=webhook with --legacy-token-webhook-config-file pointing at ks-apiserver's /oauth/authenticate.")
	}
}
