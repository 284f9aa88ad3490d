package fake

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const bundleURL = "urn:sockspec:fake:schema.json"

// compile builds a validator for the parser's root. References answered
// by the Resolver are bundled into the root's definitions so the compiler
// needs no loader; "nullable: true" becomes a "null" type, as the
// generator reads it.
func (p *parser) compile() (*jsonschema.Schema, error) {
	var errs []error
	for _, d := range []struct {
		draft *jsonschema.Draft
		defs  string
	}{{jsonschema.Draft2020, "$defs"}, {jsonschema.Draft7, "definitions"}, {jsonschema.Draft4, "definitions"}} {
		doc := p.bundle(d.defs)
		c := jsonschema.NewCompiler()
		c.DefaultDraft(d.draft)
		c.AssertFormat()
		if err := c.AddResource(bundleURL, doc); err != nil {
			errs = append(errs, err)
			continue
		}
		s, err := c.Compile(bundleURL)
		if err == nil {
			return s, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", d.draft, err))
	}
	return nil, errors.Join(errs...)
}

type bundler struct {
	p     *parser
	defs  map[string]any
	names map[string]string // target location -> definition name
	key   string
}

func (p *parser) bundle(defsKey string) any {
	b := &bundler{p: p, defs: map[string]any{}, names: map[string]string{}, key: defsKey}
	root := b.copy(p.root, p.base, true)
	m, ok := root.(map[string]any)
	if !ok || len(b.defs) == 0 {
		return root
	}
	existing, _ := m[defsKey].(map[string]any)
	merged := make(map[string]any, len(existing)+len(b.defs))
	for k, v := range existing {
		merged[k] = v
	}
	for k, v := range b.defs {
		merged[k] = v
	}
	m[defsKey] = merged
	return m
}

// copy deep-copies a schema tree, rewriting $refs the Resolver answers.
func (b *bundler) copy(v any, loc string, schema bool) any {
	switch v := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = e
		}
		return b.copy(m, loc, schema)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			switch k {
			case "const", "enum", "default", "examples", "example":
				out[k] = e
			default:
				out[k] = b.copy(e, join(loc, k), true)
			}
		}
		if !schema {
			return out
		}
		if ref, ok := v["$ref"].(string); ok {
			if name, ok := b.refName(loc, ref); ok {
				out["$ref"] = "#/" + b.key + "/" + name
			}
		}
		if nb, _ := v["nullable"].(bool); nb {
			switch t := v["type"].(type) {
			case string:
				out["type"] = []any{t, "null"}
			case []any:
				out["type"] = append(append([]any{}, t...), "null")
			}
			if e, ok := v["enum"].([]any); ok {
				out["enum"] = append(append([]any{}, e...), nil)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = b.copy(e, join(loc, strconv.Itoa(i)), schema)
		}
		return out
	}
	return v
}

func (b *bundler) refName(base, ref string) (string, bool) {
	target, key, tloc, err := b.p.resolve(base, ref)
	if err != nil || key[0] != 'r' {
		return "", false // local, or reported by the parser already
	}
	if name, ok := b.names[tloc]; ok {
		return name, true
	}
	name := "sockspec_fake_ref_" + strconv.Itoa(len(b.names))
	b.names[tloc] = name
	b.defs[name] = b.copy(target, tloc, true)
	return name, true
}
