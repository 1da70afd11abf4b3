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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"sigs.k8s.io/yaml"
)

// maxDocumentBytes bounds what is parsed; a ConfigMap cannot hold more than 1 MiB anyway.
const maxDocumentBytes = 1 << 20

// object is one mapping of a decoded document, with the dotted path that leads to it.
type object struct {
	source string
	path   string
	m      map[string]any
}

// decodeYAML decodes a YAML (or JSON) document whose top level must be a mapping.
// Unknown fields are kept, so a real config with many modules decodes; numbers stay exact.
func decodeYAML(source string, data []byte) (object, error) {
	if len(data) > maxDocumentBytes {
		return object{}, &FieldError{Source: source, Err: fmt.Errorf("larger than %d bytes", maxDocumentBytes)}
	}
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return object{}, &FieldError{Source: source, Err: fmt.Errorf("not valid YAML: %w", err)}
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return object{}, &FieldError{Source: source, Err: fmt.Errorf("not valid YAML: %w", err)}
	}
	m, ok := root.(map[string]any)
	if !ok {
		return object{}, &FieldError{Source: source, Err: fmt.Errorf("must be a mapping, got %s", describe(root))}
	}
	return object{source: source, m: m}, nil
}

// fieldPath is the dotted path of key inside o.
func (o object) fieldPath(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// fail returns a FieldError for key.
func (o object) fail(key string, err error) error {
	return &FieldError{Source: o.source, Field: o.fieldPath(key), Err: err}
}

// get returns the value of key; a missing key and an explicit null are both absent.
func (o object) get(key string) (any, bool) {
	v, ok := o.m[key]
	return v, ok && v != nil
}

// child returns the mapping at key; required reports absence as an error.
func (o object) child(key string, required bool) (object, bool, error) {
	v, ok := o.get(key)
	if !ok {
		if required {
			return object{}, false, o.fail(key, errors.New("is required"))
		}
		return object{}, false, nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return object{}, false, o.fail(key, fmt.Errorf("must be a mapping, got %s", describe(v)))
	}
	return object{source: o.source, path: o.fieldPath(key), m: m}, true, nil
}

// str returns the string at key.
func (o object) str(key string) (string, bool, error) {
	v, ok := o.get(key)
	if !ok {
		return "", false, nil
	}
	s, isString := v.(string)
	if !isString {
		return "", false, o.fail(key, fmt.Errorf("must be a string, got %s", describe(v)))
	}
	return s, true, nil
}

// boolean returns the bool at key, or def when it is absent.
func (o object) boolean(key string, def bool) (bool, error) {
	v, ok := o.get(key)
	if !ok {
		return def, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, o.fail(key, fmt.Errorf("must be true or false, got %s", describe(v)))
	}
	return b, nil
}

// integer returns the integer at key.
func (o object) integer(key string) (int64, bool, error) {
	v, ok := o.get(key)
	if !ok {
		return 0, false, nil
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return 0, false, o.fail(key, fmt.Errorf("must be an integer, got %s", describe(v)))
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return 0, false, o.fail(key, fmt.Errorf("must be an integer, got %s", n))
	}
	return i, true, nil
}

// port returns the port at key, or def when absent, with where the value came from.
func (o object) port(key string, def int32) (Port, error) {
	n, ok, err := o.integer(key)
	if err != nil {
		return Port{}, err
	}
	if !ok {
		return Port{Number: def, Source: fmt.Sprintf("default %d (%s %s not set)", def, o.source, o.fieldPath(key))}, nil
	}
	if n < 1 || n > 65535 {
		return Port{}, o.fail(key, fmt.Errorf("%d is not a port number (1-65535)", n))
	}
	return Port{Number: int32(n), Source: o.source + " " + o.fieldPath(key)}, nil
}

// stringList returns the list of strings at key.
func (o object) stringList(key string) ([]string, bool, error) {
	v, ok := o.get(key)
	if !ok {
		return nil, false, nil
	}
	list, isList := v.([]any)
	if !isList {
		return nil, false, o.fail(key, fmt.Errorf("must be a list, got %s", describe(v)))
	}
	out := make([]string, len(list))
	for i, item := range list {
		s, isString := item.(string)
		if !isString {
			return nil, false, o.fail(fmt.Sprintf("%s[%d]", key, i), fmt.Errorf("must be a string, got %s", describe(item)))
		}
		out[i] = s
	}
	return out, true, nil
}

// describe names the YAML type of a decoded value, for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", truncate(v))
	case bool:
		return fmt.Sprintf("the bool %t", v)
	case json.Number:
		return "the number " + truncate(v.String())
	}
	return fmt.Sprintf("%T", v)
}

// truncate shortens s for an error message.
func truncate(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
