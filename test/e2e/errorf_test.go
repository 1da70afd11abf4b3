package e2e

import "fmt"

func errorf(format string, args ...interface{}) error { return fmt.Errorf(format, args...) }
