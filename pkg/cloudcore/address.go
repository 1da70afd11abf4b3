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
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"

	"github.com/edgewatcher/edgewatcher/pkg/ipam"
)

// validateAddress checks that s is an IP address in canonical form or a DNS-1123 name, as
// an edge can dial it and cloudcore can put it in its certificate.
func validateAddress(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if strings.Contains(s, ":") || strings.Trim(s, "0123456789.") == "" {
		return validateIP(s)
	}
	if msgs := content.IsDNS1123Subdomain(s); len(msgs) > 0 {
		return fmt.Errorf("%q is neither an IP address nor a DNS-1123 name: %s", s, strings.Join(msgs, "; "))
	}
	return nil
}

// validateIP checks that s is a canonical, zone-free, non-mapped IP other than unspecified or multicast.
func validateIP(s string) error {
	a, err := ipam.ParseCanonical(s)
	if err != nil {
		return err
	}
	if a.IsUnspecified() || a.IsMulticast() {
		return fmt.Errorf("%q is not an address an edge can dial", s)
	}
	return nil
}
