package plugin

import (
	"io"
	"os"
)

// IOStreams are the standard input, output and error streams of a command.
type IOStreams struct {
	// In is the standard input.
	In io.Reader
	// Out receives results: commands, tokens, tables and objects.
	Out io.Writer
	// ErrOut receives errors, warnings and notes meant for a person.
	ErrOut io.Writer
}

// StdStreams returns the process's standard streams.
func StdStreams() IOStreams {
	return IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}
