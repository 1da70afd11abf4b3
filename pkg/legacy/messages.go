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

import (
	"strings"
)

// The console decides which form field an error belongs to by case-sensitive substring tests on
// the message: "name" for the node name field, "IP" for the node IP field. The functions below
// build every message the package sends, and neutralise those two words wherever they would
// point the console at the wrong field.

// nameMessage makes msg safe as a message about the node name: it never contains "IP".
func nameMessage(msg string) string {
	return strings.ReplaceAll(validUTF8(msg), "IP", "ip")
}

// ipMessage makes msg safe as a message about the node IP: it never contains "name".
func ipMessage(msg string) string {
	return strings.ReplaceAll(validUTF8(msg), "name", "Name")
}

// neutralMessage makes msg safe as a message about neither field: it contains neither "name" nor
// "IP" ("namespace" becomes "Namespace").
func neutralMessage(msg string) string {
	return strings.ReplaceAll(ipMessage(msg), "IP", "ip")
}

// validUTF8 replaces invalid UTF-8 up front, so that the checked text is the text the JSON
// encoder sends (it would replace invalid bytes itself).
func validUTF8(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// invalidNameMessage is "Invalid node name: <detail>", or the value when there is no detail.
func invalidNameMessage(value, detail string) string {
	if detail == "" {
		detail = value
	}
	return nameMessage(joinWords("Invalid node name:", detail))
}

// invalidIPMessage is "Invalid node IP: <value>" with " (<detail>)" when there is a detail.
func invalidIPMessage(value, detail string) string {
	return ipMessage(joinWords("Invalid node IP:", value, parenthesized(detail)))
}

// nameInUseMessage is "Node name <name> in use" with " (<detail>)" when there is a detail.
func nameInUseMessage(value, detail string) string {
	return nameMessage(joinWords("Node name", value, "in use", parenthesized(detail)))
}

// ipInUseMessage is "Node IP <ip> in use" with " (<detail>)" when there is a detail.
func ipInUseMessage(value, detail string) string {
	return ipMessage(joinWords("Node IP", value, "in use", parenthesized(detail)))
}

// parenthesized returns "(s)", or "" for an empty s.
func parenthesized(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

// joinWords joins the non-empty words with single spaces.
func joinWords(words ...string) string {
	var b strings.Builder
	for _, w := range words {
		if w == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
