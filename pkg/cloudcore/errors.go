package cloudcore

// FieldError is a malformed field of a cloudcore document.
type FieldError struct {
	// Source names the document, for example "cloudcore.yaml".
	Source string
	// Field is the dotted path of the offending field, empty for the whole document.
	Field string
	// Err says what is wrong.
	Err error
}

// Error renders "source: field: reason".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Source + ": " + e.Err.Error()
	}
	return e.Source + ": " + e.Field + ": " + e.Err.Error()
}

// Unwrap returns the underlying reason.
func (e *FieldError) Unwrap() error {
	return e.Err
}
