package specs_test

import (
	"testing"

	"github.com/sockspec/sockspec/asyncapi/internal/specs"
)

func TestEveryVersionCompiles(t *testing.T) {
	for _, v := range specs.Versions {
		if _, err := specs.Schema(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	if _, err := specs.Schema("9.9.9"); err == nil {
		t.Error("want error for an unknown version")
	}
}
