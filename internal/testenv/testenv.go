// Package testenv decides what a test does when a tool it needs (node, the
// npm packages under e2e/, chromium) is missing: on a developer's machine it
// skips, in CI (the CI environment variable is set) it fails, so that a CI run
// can never pass by skipping the end-to-end tests.
package testenv

import (
	"os"
	"testing"
)

// Missing skips the test, or fails it when running in CI, saying what is
// missing.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI must install it: ./scripts/test.sh)", what)
	}
	t.Skip(what)
}
