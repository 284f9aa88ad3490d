package docs

import (
	"strings"
	"testing"
	"time"
)

// TestSlowInputs guards against super-linear blow-ups on hostile descriptions
// (a quadratic renderer takes minutes on these inputs). The bound is loose on
// purpose: this is a hang check, not a benchmark, and it runs under -race on
// busy machines.
func TestSlowInputs(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("*a", 5000), strings.Repeat("**a", 5000), strings.Repeat("[", 10000), strings.Repeat("[a](", 3000),
		strings.Repeat("_a ", 5000), strings.Repeat("<", 10000), strings.Repeat("> ", 3000), strings.Repeat("*", 10000),
		strings.Repeat("**_*a", 3000), strings.Repeat("[*", 5000), strings.Repeat("- ", 5000) + "\n",
		strings.Repeat("a\n  ", 5000), strings.Repeat("https://", 5000),
	} {
		start := time.Now()
		markdown(s)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q...: %v", s[:10], d)
		}
	}
}
