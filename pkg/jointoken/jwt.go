package jointoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// CAHash returns the hex SHA-256 of a CA certificate's DER bytes, the first part of a join token.
func CAHash(caCertDER []byte) string {
	sum := sha256.Sum256(caCertDER)
	return hex.EncodeToString(sum[:])
}

// segment encodes b as an unpadded base64url JWT part.
func segment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// sign returns the HMAC-SHA256 of signingInput keyed by key.
func sign(signingInput string, key []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return mac.Sum(nil)
}
