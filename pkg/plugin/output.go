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

package plugin

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// Output formats accepted by -o.
const (
	outputText = "text"
	outputWide = "wide"
	outputJSON = "json"
	outputYAML = "yaml"
)

// checkOutput returns a usage error unless format is one of allowed.
func checkOutput(cmd *cobra.Command, format string, allowed ...string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usageErrorf(cmd, "unable to match a printer suitable for the output format %q, allowed formats are: %s", format, strings.Join(allowed, ","))
}

// printObject writes obj as indented JSON, as kubectl -o json does, or as YAML.
func printObject(w io.Writer, format string, obj any) error {
	var data []byte
	var err error
	switch format {
	case outputJSON:
		data, err = json.MarshalIndent(obj, "", "    ")
		data = append(data, '\n')
	case outputYAML:
		data, err = yaml.Marshal(obj)
	default:
		return fmt.Errorf("output format %q cannot print objects", format)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	_, err = w.Write(data)
	return err
}
