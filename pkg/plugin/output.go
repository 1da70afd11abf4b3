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
