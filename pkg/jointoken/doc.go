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
