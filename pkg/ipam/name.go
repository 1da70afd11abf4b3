package ipam

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ValidateNodeName returns an error wrapping ErrInvalidName unless name is a valid Node name: a DNS-1123 subdomain
// (lowercase alphanumerics, '-' and '.', at most 253 characters). The message always contains the word "name".
func ValidateNodeName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the node name is empty", ErrInvalidName)
	}
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return fmt.Errorf("%w %s: %s", ErrInvalidName, quote(name), strings.Join(msgs, "; "))
	}
	return nil
}
