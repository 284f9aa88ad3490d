// Package specs embeds the official AsyncAPI JSON Schemas (Apache-2.0, see
// NOTICE) and compiles them on first use.
package specs

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed *.json
var files embed.FS

// Versions lists the AsyncAPI versions with an embedded schema.
var Versions = []string{"2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0", "3.1.0"}

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Schema returns the compiled JSON Schema of AsyncAPI version v (e.g. "2.6.0").
// It is safe for concurrent use; each version is compiled once.
func Schema(v string) (*jsonschema.Schema, error) {
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[v]; ok {
		return s, nil
	}
	data, err := files.ReadFile(v + ".json")
	if err != nil {
		return nil, fmt.Errorf("specs: no schema for AsyncAPI %s", v)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("specs: decode %s: %w", v, err)
	}
	m, _ := doc.(map[string]any)
	id, _ := m["$id"].(string)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		return nil, fmt.Errorf("specs: add %s: %w", v, err)
	}
	s, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("specs: compile %s: %w", v, err)
	}
	compiled[v] = s
	return s, nil
}
