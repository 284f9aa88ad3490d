package asyncapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
)

// FuzzAsyncAPIDocument feeds arbitrary YAML/JSON to the loader: it must never
// panic or hang, an error must be an *InvalidError (the input is in memory),
// a document accepted once must be accepted again with the same model, and
// it must bundle.
func FuzzAsyncAPIDocument(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join(corpus, dir, "*.*"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},"components":{"schemas":{"a":{"$ref":"#/components/schemas/a"}}}}`))
	f.Add([]byte("asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels:\n  /:\n    publish:\n      message: {$ref: '#/channels/~1/publish/message'}\n"))
	cfg := asyncapi.Config{
		MaxFileSize: 1 << 20, MaxDepth: 64, MaxNodes: 100_000, MaxRefs: 10_000,
		ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }, // no file system access
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := asyncapi.Parse(context.Background(), "fuzz.yaml", data, cfg)
		var inv *asyncapi.InvalidError
		if err != nil && !errors.As(err, &inv) && !errors.Is(err, asyncapi.ErrTooLarge) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if err != nil || doc == nil {
			return
		}
		again, err := asyncapi.Parse(context.Background(), "fuzz.yaml", data, cfg)
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		if a, b := summary(doc), summary(again); len(a) != len(b) {
			t.Fatalf("non-deterministic model: %v vs %v", a, b)
		}
		// every $ref of an accepted document resolved, so it bundles
		tree, err := doc.Bundle()
		if err != nil {
			t.Fatalf("bundle: %v", err)
		}
		if b, err := json.Marshal(tree); err != nil {
			t.Fatalf("bundle is not JSON: %v", err)
		} else if _, err := asyncapi.Parse(context.Background(), "bundle.json", b, cfg); err != nil && !errors.As(err, &inv) {
			t.Fatalf("bundle: %v", err)
		}
		if doc.Version[0] == '2' {
			if out, err := asyncapi.Convert(doc, asyncapi.ConvertOptions{}); err == nil {
				if _, err := asyncapi.Parse(context.Background(), "conv.yaml", out, cfg); err != nil {
					var inv *asyncapi.InvalidError
					if !errors.As(err, &inv) {
						t.Fatalf("converted: %v", err)
					}
				}
			}
		}
	})
}
