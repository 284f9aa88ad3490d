// Package coerce turns handshake query parameters and headers, which are
// text, into the JSON values their AsyncAPI ws binding schema describes, so
// that "?limit=10" validates against {type: integer}.
//
// A Plan is built once per schema from its raw form. Each property's "type"
// (a string or a list) selects the conversion: integer and number parse
// with strconv, boolean accepts "true" and "false", array converts every
// value of a repeated parameter by the type of "items". A value that does not
// convert stays a string, so the validator reports the precise type error.
// Header names match the schema's property names in any case.
package coerce

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Plan converts the values of one object schema's properties.
type Plan struct {
	props map[string]prop // exact property names
	lower map[string]string
}

type prop struct {
	types []string // "integer", "number", "boolean", "string", "null"
	array bool
	items []string
}

// Resolver returns the target of a {"$ref": ...} node, or the node itself.
type Resolver func(node any) any

// NewPlan reads the properties of schema (a raw JSON Schema object) and
// their types. resolve may be nil when the schema has no $ref.
func NewPlan(schema any, resolve Resolver) *Plan {
	if resolve == nil {
		resolve = func(n any) any { return n }
	}
	p := &Plan{props: map[string]prop{}, lower: map[string]string{}}
	m, _ := resolve(schema).(map[string]any)
	props, _ := resolve(m["properties"]).(map[string]any)
	for name, raw := range props {
		ps, _ := resolve(raw).(map[string]any)
		pr := prop{types: typesOf(ps["type"])}
		for _, t := range pr.types {
			if t == "array" {
				pr.array = true
				it, _ := resolve(ps["items"]).(map[string]any)
				pr.items = typesOf(it["type"])
			}
		}
		p.props[name] = pr
		p.lower[strings.ToLower(name)] = name
	}
	return p
}

func typesOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Query converts query parameters. Parameters for which skip returns true
// are left out unless the schema names them (Engine.IO's own EIO, transport,
// t, sid...). A repeated parameter is an array when the schema says so, and
// otherwise its first value is used.
func (p *Plan) Query(q url.Values, skip func(string) bool) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 0 {
			continue
		}
		pr, known := p.props[k]
		if !known {
			if skip != nil && skip(k) {
				continue
			}
			out[k] = vs[0]
			continue
		}
		out[k] = pr.convert(vs)
	}
	return out
}

// Headers converts the headers the schema names (matched in any case),
// under the schema's spelling. Several values of one header are joined with
// ", " as HTTP allows. Headers the schema does not name are left out: a
// browser sends many that no document lists.
func (p *Plan) Headers(h http.Header) map[string]any {
	out := make(map[string]any, len(p.props))
	for k, vs := range h {
		name, ok := p.lower[strings.ToLower(k)]
		if !ok || len(vs) == 0 {
			continue
		}
		pr := p.props[name]
		if pr.array {
			out[name] = pr.convert(vs)
		} else {
			out[name] = pr.convert([]string{strings.Join(vs, ", ")})
		}
	}
	return out
}

func (pr prop) convert(vs []string) any {
	if pr.array {
		arr := make([]any, len(vs))
		for i, v := range vs {
			arr[i] = scalar(v, pr.items)
		}
		// a single value may also match a scalar alternative of the type list
		if len(vs) == 1 && len(pr.types) > 1 {
			for _, t := range pr.types {
				if t != "array" {
					if v, ok := convertTo(vs[0], t); ok {
						return v
					}
				}
			}
		}
		return arr
	}
	return scalar(vs[0], pr.types)
}

// Scalar converts s to the first of types it fits, or returns s.
func Scalar(s string, types []string) any { return scalar(s, types) }

func scalar(s string, types []string) any {
	for _, t := range types {
		if v, ok := convertTo(s, t); ok {
			return v
		}
	}
	return s
}

func convertTo(s, t string) (any, bool) {
	switch t {
	case "string":
		return s, true
	case "integer":
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
			return f, true
		}
	case "number":
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	case "boolean":
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case "null":
		if s == "" || s == "null" {
			return nil, true
		}
	}
	return nil, false
}
