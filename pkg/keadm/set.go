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

package keadm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// How `keadm join --set` reads its value (v1.18 and later), and how we stay inside it.
//
// keadm does not use Helm's strvals. Its own parser, util.ParseSet (kubeedge/kubeedge@v1.23.1:
// keadm/cmd/keadm/app/cmd/util/set.go), applied to the edgecore config struct after the other
// flags, works like this:
//
//  1. The value is split on ',' outside "..." and {...}; white space outside them is dropped.
//  2. Each piece is split on '='; a piece that does not split into exactly two parts is
//     skipped without an error.
//  3. The right-hand side is typed: {...} becomes a list or map, then int, float64 and bool
//     are tried (strconv.Atoi, ParseFloat, ParseBool); anything else stays a string, quotes
//     included.
//  4. The key is resolved to a Go field by json tag, segment by segment, unless its first
//     segment starts with an upper-case letter, in which case it is used as a Go field path
//     (reflect.FieldByName, which also finds promoted fields). The value's Go type must equal
//     the field's type exactly.
//
// Consequences for what we emit:
//
//   - Every assignment goes into ONE --set argument, comma separated. That is read the same
//     by the releases that honoured only the last --set (v1.18.0 – v1.18.2, v1.19.0 – v1.19.1,
//     upstream #6050, fixed by #6064/#6065) and by the later ones.
//   - A value must not contain ',', '=', '"', '{', '}' or white space (steps 1 and 2 would split,
//     drop or retype it), and a string value must not look like an int, float or bool (step 3).
//     encodeSet refuses such values instead of emitting something keadm would misread.
//   - modules.edgeStream.enable and modules.edgeStream.server are ordinary tagged fields, so the
//     documented json paths work.
//   - The node IP lives in edgecore's Edged.TailoredKubeletFlag, an embedded struct without a
//     json tag. The json-tag walk of step 4 cannot descend into it, and keadm fails with
//     "Modules.Edged.: No such field:  in Config" for `modules.edged.nodeIP` (reproduced
//     upstream in the review of kubeedge PR #6661, 2026-03). The Go field path
//     Modules.Edged.NodeIP is resolved by reflect.FieldByName, which finds the promoted field,
//     so we emit that spelling, deliberately not the json path `modules.edged.nodeIP` that one
//     would expect.
//   - Taints cannot be expressed at all: registerWithTaints is []v1.Taint, and step 3 never
//     produces that type; the indexed forms need an existing element, and the default list is
//     empty. Build reports taints as a Limitation on every release.

// setKind is the Go type keadm must infer for an assignment's value.
type setKind int

const (
	// setString is a value keadm must keep as a string.
	setString setKind = iota
	// setBool is a value keadm must read as a bool.
	setBool
)

// Keys that Build sets through --set, spelled so that keadm's parser resolves them (see above).
const (
	setKeyEdgeStreamEnable = "modules.edgeStream.enable"
	setKeyEdgeStreamServer = "modules.edgeStream.server"
	setKeyNodeIP           = "Modules.Edged.NodeIP"
)

// setAssignment is one key=value pair of a --set argument.
type setAssignment struct {
	key   string
	value string
	kind  setKind
}

// encodeSet joins assignments into a single --set value, refusing any value keadm would misread.
func encodeSet(assignments []setAssignment) (string, error) {
	parts := make([]string, 0, len(assignments))
	for _, a := range assignments {
		if err := checkSetValue(a); err != nil {
			return "", fmt.Errorf("--set %s: %w", a.key, err)
		}
		parts = append(parts, a.key+"="+a.value)
	}
	return strings.Join(parts, ","), nil
}

// checkSetValue verifies that keadm's parser reads a.value back unchanged and with the intended type.
func checkSetValue(a setAssignment) error {
	if a.value == "" {
		return errors.New("empty value")
	}
	for _, r := range a.value {
		if strings.ContainsRune(`,="{}`, r) || unicode.IsSpace(r) {
			return fmt.Errorf("value %q contains %q, which keadm's --set parser would split or drop", a.value, r)
		}
	}
	switch a.kind {
	case setBool:
		if a.value != "true" && a.value != "false" {
			return fmt.Errorf("value %q is not true or false", a.value)
		}
	case setString:
		if looksTyped(a.value) {
			return fmt.Errorf("value %q would be read as a number or a bool, not a string", a.value)
		}
	}
	return nil
}

// looksTyped reports whether keadm would type s as an int, a float or a bool rather than a string.
func looksTyped(s string) bool {
	if _, err := strconv.Atoi(s); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	_, err := strconv.ParseBool(s)
	return err == nil
}
