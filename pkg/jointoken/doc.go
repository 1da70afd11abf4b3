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

// Package jointoken reads, checks, mints and verifies KubeEdge join tokens, the credential `keadm join --token`
// takes.
//
// A join token is <hex SHA-256 of the cloudcore CA certificate DER>.<JWT>, the JWT being HS256 over {"exp":<unix>}
// keyed by the raw bytes of the CA private key (kubeedge/casecret cakeydata). Cloudcore stores the current token in
// kubeedge/tokensecret under tokendata and refreshes it every tokenRefreshDuration hours. Because the token is a
// cluster-wide bearer credential until it expires, errors never echo it and Token's String method redacts it.
//
// The package is pure: it uses only the standard library for JWT and HMAC, and imports no apiserver packages.
package jointoken
