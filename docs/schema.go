package docs

import (
	"encoding/json"
	"html/template"
	"slices"
	"strconv"
	"strings"
)

const (
	// maxSchemaDepth bounds how deep one schema tree is drawn.
	maxSchemaDepth = 24
	// maxSchemaNodes bounds the rows drawn for one schema: a schema that
	// references the same sub-schema at many levels (a DAG, not a cycle)
	// would otherwise grow exponentially.
	maxSchemaNodes = 1500
)

// schemaNode is one row of a rendered schema tree.
type schemaNode struct {
	Label       string // property name, "[0]", "option 1", "" for the root
	LabelKind   string // "prop", "index", "variant", "keyword", "root"
	Required    bool
	Types       []string
	Ref         string // component name when the row came from a $ref
	Anchor      string // element id of this row when it expanded a $ref
	RecursiveTo string // element id of the ancestor a recursive $ref points back to
	Title       string
	Description template.HTML
	Constraints []constraint
	Examples    []string
	Flags       []string // deprecated, read-only, write-only
	Note        string
	Children    []*schemaNode
}

type constraint struct{ Key, Value string }

// schemaBuilder turns raw JSON Schema objects into schemaNode trees, resolving
// local $refs. A $ref already being expanded on the current path is drawn as a
// link back to its expansion instead of being expanded again.
type schemaBuilder struct {
	r      *resolver
	ids    *idGen
	stack  map[string]string // $ref -> anchor of its expansion on the current path
	depth  int
	budget int
}

func newSchemaBuilder(r *resolver, ids *idGen) *schemaBuilder {
	return &schemaBuilder{r: r, ids: ids, stack: map[string]string{}, budget: maxSchemaNodes}
}

// build renders one root schema with a fresh budget. args labels the items
// of a top-level tuple (prefixItems) as Socket.IO arguments.
func (b *schemaBuilder) build(v any, args bool) *schemaNode {
	b.budget = maxSchemaNodes
	clear(b.stack)
	b.depth = 0
	return b.node(v, "", "root", args)
}

func (b *schemaBuilder) node(v any, label, kind string, args bool) *schemaNode {
	n := &schemaNode{Label: label, LabelKind: kind}
	if b.budget <= 0 {
		n.Note = "schema too large to show in full; see asyncapi.json"
		return n
	}
	b.budget--
	if ref, ok := refOf(v); ok {
		if anchor, seen := b.stack[ref]; seen {
			n.Ref, n.RecursiveTo = refName(ref), anchor
			n.Note = "recursive"
			return n
		}
		target, _, found := b.r.deref(v)
		if !found {
			n.Ref = ref
			n.Note = "unresolved reference " + ref
			return n
		}
		n.Ref, n.Anchor = refName(ref), b.ids.next("schema-"+refName(ref))
		b.stack[ref] = n.Anchor
		defer delete(b.stack, ref)
		v = target
	}
	if b.depth >= maxSchemaDepth {
		n.Note = "nested too deeply to show; see asyncapi.json"
		return n
	}
	b.depth++
	defer func() { b.depth-- }()
	switch s := v.(type) {
	case bool:
		if s {
			n.Types = []string{"any"}
		} else {
			n.Note = "no value is allowed (false schema)"
		}
	case map[string]any:
		b.fill(n, s, args && kind == "root")
	default:
		n.Note = "not a schema"
	}
	return n
}

func (b *schemaBuilder) fill(n *schemaNode, s map[string]any, args bool) {
	n.Types = schemaTypes(s)
	n.Title, _ = s["title"].(string)
	if d, ok := s["description"].(string); ok {
		n.Description = inlineMarkdown(d)
	}
	for _, f := range [...]struct{ key, label string }{{"deprecated", "deprecated"}, {"readOnly", "read-only"}, {"writeOnly", "write-only"}} {
		if v, _ := s[f.key].(bool); v {
			n.Flags = append(n.Flags, f.label)
		}
	}
	n.Constraints = constraints(s)
	if ex, ok := s["examples"].([]any); ok {
		for _, e := range ex {
			n.Examples = append(n.Examples, compactJSON(e))
		}
	}
	if e, ok := s["example"]; ok {
		n.Examples = append(n.Examples, compactJSON(e))
	}

	required := map[string]bool{}
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			c := b.node(props[name], name, "prop", false)
			c.Required = required[name]
			n.Children = append(n.Children, c)
			delete(required, name)
		}
	}
	// Required names without a property schema still matter to a client.
	for _, name := range sortedKeys(required) {
		n.Children = append(n.Children, &schemaNode{Label: name, LabelKind: "prop", Required: true, Types: []string{"any"}})
	}
	if pp, ok := s["patternProperties"].(map[string]any); ok {
		for _, p := range sortedKeys(pp) {
			n.Children = append(n.Children, b.node(pp[p], "/"+p+"/", "keyword", false))
		}
	}
	switch ap := s["additionalProperties"].(type) {
	case bool:
		if !ap {
			n.Constraints = append(n.Constraints, constraint{"additional properties", "not allowed"})
		}
	case map[string]any:
		n.Children = append(n.Children, b.node(ap, "additional properties", "keyword", false))
	}

	index := func(i int) string {
		if args {
			return "argument " + strconv.Itoa(i+1)
		}
		return "[" + strconv.Itoa(i) + "]"
	}
	prefix, _ := s["prefixItems"].([]any)
	for i, p := range prefix {
		n.Children = append(n.Children, b.node(p, index(i), "index", false))
	}
	switch it := s["items"].(type) {
	case []any: // draft-04 tuple form
		for i, p := range it {
			n.Children = append(n.Children, b.node(p, index(len(prefix)+i), "index", false))
		}
	case map[string]any, bool:
		if f, isBool := it.(bool); isBool && f && len(prefix) > 0 {
			break
		}
		label := "[items]"
		if len(prefix) > 0 {
			label = "[rest]"
		}
		if f, isBool := it.(bool); isBool && !f {
			n.Constraints = append(n.Constraints, constraint{"more items", "not allowed"})
			break
		}
		n.Children = append(n.Children, b.node(it, label, "index", false))
	}
	for _, kw := range [...]struct{ key, label string }{{"allOf", "all of"}, {"oneOf", "one of"}, {"anyOf", "any of"}} {
		list, _ := s[kw.key].([]any)
		for i, sub := range list {
			n.Children = append(n.Children, b.node(sub, kw.label+" #"+strconv.Itoa(i+1), "variant", false))
		}
	}
	for _, kw := range [...]struct{ key, label string }{
		{"not", "not"}, {"contains", "contains"}, {"propertyNames", "property names"},
		{"if", "if"}, {"then", "then"}, {"else", "else"},
	} {
		if sub, ok := s[kw.key]; ok {
			n.Children = append(n.Children, b.node(sub, kw.label, "keyword", false))
		}
	}
}

func schemaTypes(s map[string]any) []string {
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, e := range t {
			if str, ok := e.(string); ok {
				types = append(types, str)
			}
		}
	}
	if len(types) == 0 {
		switch {
		case s["properties"] != nil || s["additionalProperties"] != nil || s["patternProperties"] != nil:
			types = []string{"object"}
		case s["items"] != nil || s["prefixItems"] != nil:
			types = []string{"array"}
		}
	}
	if nb, _ := s["nullable"].(bool); nb && !slices.Contains(types, "null") {
		types = append(types, "null")
	}
	if len(types) == 1 && types[0] == "array" {
		if _, tuple := s["prefixItems"]; tuple {
			types[0] = "tuple"
		} else if _, tuple := s["items"].([]any); tuple {
			types[0] = "tuple"
		}
	}
	return types
}

// constraints lists the validation keywords of s, in a fixed readable order.
func constraints(s map[string]any) []constraint {
	var out []constraint
	add := func(label string, v any) { out = append(out, constraint{label, compactJSON(v)}) }
	if v, ok := s["format"].(string); ok {
		out = append(out, constraint{"format", v})
	}
	if v, ok := s["pattern"].(string); ok {
		out = append(out, constraint{"pattern", v})
	}
	if v, ok := s["const"]; ok {
		add("const", v)
	}
	if v, ok := s["enum"].([]any); ok {
		vals := make([]string, len(v))
		for i, e := range v {
			vals[i] = compactJSON(e)
		}
		out = append(out, constraint{"enum", strings.Join(vals, ", ")})
	}
	if v, ok := s["default"]; ok {
		add("default", v)
	}
	for _, k := range [...]struct{ key, label string }{
		{"minimum", "≥"}, {"maximum", "≤"}, {"multipleOf", "multiple of"},
		{"minLength", "min length"}, {"maxLength", "max length"},
		{"minItems", "min items"}, {"maxItems", "max items"},
		{"minProperties", "min properties"}, {"maxProperties", "max properties"},
		{"minContains", "min contains"}, {"maxContains", "max contains"},
		{"contentEncoding", "encoding"}, {"contentMediaType", "media type"},
	} {
		if v, ok := s[k.key]; ok {
			if str, isStr := v.(string); isStr {
				out = append(out, constraint{k.label, str})
			} else {
				add(k.label, v)
			}
		}
	}
	// exclusiveMinimum/Maximum: a number (draft 6+) or a flag on minimum (draft 4).
	for _, k := range [...]struct{ key, bound, label string }{{"exclusiveMinimum", "minimum", ">"}, {"exclusiveMaximum", "maximum", "<"}} {
		switch v := s[k.key].(type) {
		case bool:
			if v {
				out = append(out, constraint{"exclusive " + k.bound, "yes"})
			}
		case nil:
		default:
			add(k.label, v)
		}
	}
	if v, ok := s["uniqueItems"].(bool); ok && v {
		out = append(out, constraint{"unique items", "yes"})
	}
	if d, ok := s["discriminator"]; ok {
		if str, isStr := d.(string); isStr {
			out = append(out, constraint{"discriminator", str})
		} else if m, isMap := d.(map[string]any); isMap {
			if pn, ok := m["propertyName"].(string); ok {
				out = append(out, constraint{"discriminator", pn})
			}
		}
	}
	return out
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

func prettyJSON(v any) string {
	b, err := encodeJSON(v)
	if err != nil {
		return compactJSON(v)
	}
	return strings.TrimRight(string(b), "\n")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// idGen hands out unique, readable HTML element ids.
type idGen struct{ used map[string]bool }

func (g *idGen) next(base string) string {
	if g.used == nil {
		g.used = map[string]bool{}
	}
	id := slug(base)
	for n := 2; g.used[id]; n++ {
		id = slug(base) + "-" + strconv.Itoa(n)
	}
	g.used[id] = true
	return id
}

// slug keeps ASCII letters and digits and turns everything else into single
// dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		out = "x"
	}
	return out
}
