package fake_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/mock/fake"
)

// TestAsyncAPIDocuments generates for every schema of the valid AsyncAPI
// documents (payloads, acks, handshake bindings), the way the mock server
// does: with the document's compiled schemas and its reference resolution.
func TestAsyncAPIDocuments(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/asyncapi/valid/*.yaml")
	if len(files) == 0 {
		t.Skip("no AsyncAPI documents")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			doc, err := asyncapi.Load(t.Context(), file, asyncapi.Config{})
			if err != nil {
				t.Fatal(err)
			}
			resolver := func(base, ref string) (any, string, error) {
				f, _, _ := strings.Cut(base, "#")
				v, loc, err := doc.ResolveRef(f, ref)
				if err != nil {
					return nil, "", err
				}
				return v, loc.File + "#" + loc.Pointer, nil
			}
			g := fake.New(fake.Config{Seed: 1, Resolver: resolver})
			n := 0
			check := func(what, name string, s *asyncapi.Schema) {
				if s == nil {
					return
				}
				n++
				fs, err := g.Prepare(s.Raw, fake.PrepareOptions{Validator: s.Compiled, Location: s.Location.File + "#" + s.Location.Pointer, Name: name})
				if err != nil {
					t.Errorf("%s: %v", what, err)
					return
				}
				for range 200 {
					v, err := g.Generate(fs)
					if os.Getenv("FAKE_SHOW") != "" {
						t.Logf("%s %s: %#v", what, s.Location.Pointer, v)
					}
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if err := s.Validate(v); err != nil {
						t.Fatalf("%s: %#v: %v", what, v, err)
					}
				}
			}
			for _, ns := range doc.Namespaces {
				check(ns.Name+" query", "", ns.Bindings.Query)
				check(ns.Name+" headers", "", ns.Bindings.Headers)
				for _, e := range ns.Events {
					check(ns.Name+" "+e.Name, e.Name, e.Payload)
					if e.Ack != nil {
						check(ns.Name+" "+e.Name+" ack", "", e.Ack.Payload)
					}
				}
			}
			t.Logf("%d schemas", n)
		})
	}
}
