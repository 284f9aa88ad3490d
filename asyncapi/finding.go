package asyncapi

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity ranks a [Finding].
type Severity int

// Severities, most severe first.
const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	default:
		return "info"
	}
}

// MarshalText encodes the severity as its String form.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one problem found in a document. Code is a stable identifier
// (for example "dangling-ref"); Message is meant for a person; Hint, when set,
// suggests a fix.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	File     string   `json:"file"`
	Pointer  string   `json:"pointer"` // JSON pointer inside File ("" is the root)
	Position `json:"position"`
}

// String formats the finding as "file:line:col: severity: message (pointer)".
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", f.Line, max(f.Column, 1))
	}
	fmt.Fprintf(&b, ": %s: %s", f.Severity, f.Message)
	if f.Pointer != "" {
		fmt.Fprintf(&b, " (#%s)", f.Pointer)
	}
	if f.Hint != "" {
		fmt.Fprintf(&b, "\n\thint: %s", f.Hint)
	}
	return b.String()
}

// InvalidError is returned by [Load] and [Parse] when a document has at least
// one finding of severity error. Findings holds every finding, warnings included.
type InvalidError struct {
	File     string
	Findings []Finding
}

// Error summarises the findings.
func (e *InvalidError) Error() string {
	n := 0
	var first *Finding
	for i := range e.Findings {
		if e.Findings[i].Severity == SeverityError {
			if first == nil {
				first = &e.Findings[i]
			}
			n++
		}
	}
	if first == nil {
		return "asyncapi: " + e.File + ": invalid document"
	}
	if n == 1 {
		return "asyncapi: invalid document: " + first.String()
	}
	return fmt.Sprintf("asyncapi: invalid document: %s (and %d more errors)", first.String(), n-1)
}

func sortFindings(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(fs, func(a, b Finding) bool {
		return a.File == b.File && a.Pointer == b.Pointer && a.Code == b.Code && a.Message == b.Message
	})
}
