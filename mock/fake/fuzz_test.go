package fake_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/sockspec/sockspec/mock/fake"
)

// FuzzGenerate: for any schema, Prepare either fails with an error or
// every generated value is valid against the schema; nothing panics.
func FuzzGenerate(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint64(1))
	}
	f.Add([]byte(`{"type":"string","pattern":"^(a|b{2,3})*c?$","maxLength":4}`), uint64(2))
	f.Add([]byte(`{"oneOf":[{"minimum":3},{"maximum":5}],"type":"integer"}`), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 4*time.Second {
				t.Fatalf("slow: %v", d)
			}
		}()
		g := fake.New(fake.Config{Seed: seed, MaxAttempts: 5})
		s, err := g.Prepare(raw, fake.PrepareOptions{})
		if err != nil {
			return
		}
		for range 3 {
			v, err := g.Generate(s)
			if err != nil {
				continue // unlucky retries are allowed, invalid values are not
			}
			if err := s.Validator().Validate(v); err != nil {
				t.Fatalf("invalid value %#v: %v", v, err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("value %#v does not encode: %v", v, err)
			}
			w, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validator().Validate(w); err != nil {
				t.Fatalf("value %s invalid after a JSON round trip: %v", b, err)
			}
		}
	})
}
