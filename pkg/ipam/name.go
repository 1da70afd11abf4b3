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
