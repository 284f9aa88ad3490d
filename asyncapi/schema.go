package asyncapi

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Dialect URLs sockspec compiles with.
const (
	Dialect2020 = "https://json-schema.org/draft/2020-12/schema"
	Dialect2019 = "https://json-schema.org/draft/2019-09/schema"
	Dialect07   = "http://json-schema.org/draft-07/schema#"
	Dialect04   = "http://json-schema.org/draft-04/schema#"
)

// dialectOfSchemaFormat maps a schemaFormat media type to a dialect, "" for the
// default (AsyncAPI schema, read as 2020-12), or an error for unsupported formats.
func dialectOfSchemaFormat(f string) (string, error) {
	if f == "" {
		return "", nil
	}
	mt, params, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(f, " ", "")), ";")
	version := ""
	for _, p := range strings.Split(params, ";") {
		if v, ok := strings.CutPrefix(p, "version="); ok {
			version = v
		}
	}
	switch mt {
	case "application/vnd.aai.asyncapi", "application/vnd.aai.asyncapi+json", "application/vnd.aai.asyncapi+yaml":
		return "", nil
	case "application/schema+json", "application/schema+yaml":
		switch version {
		case "draft-07", "draft7":
			return Dialect07, nil
		case "draft-04", "draft4":
			return Dialect04, nil
		case "2019-09", "draft-2019-09":
			return Dialect2019, nil
		case "2020-12", "draft-2020-12":
			return Dialect2020, nil
		}
		return "", fmt.Errorf("unsupported JSON Schema version %q in schemaFormat %q (use draft-07, draft-04, 2019-09 or 2020-12)", version, f)
	}
	return "", fmt.Errorf("unsupported schemaFormat %q: sockspec reads AsyncAPI and JSON Schema payloads only (not Avro, Protobuf, RAML, OpenAPI...)", f)
}

func dialectOfSchemaKeyword(s string) (string, bool) {
	switch strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://"), "#") {
	case "json-schema.org/draft/2020-12/schema":
		return Dialect2020, true
	case "json-schema.org/draft/2019-09/schema":
		return Dialect2019, true
	case "json-schema.org/draft-07/schema":
		return Dialect07, true
	case "json-schema.org/draft-04/schema":
		return Dialect04, true
	}
	return "", false
}

func dialectName(d string) string {
	switch d {
	case Dialect2019:
		return "2019-09"
	case Dialect07:
		return "draft-07"
	case Dialect04:
		return "draft-04"
	}
	return "2020-12"
}

// schemaCompiler compiles schemas of one document. Each dialect gets its own
// copy of every file as a resource (file URL + "?dialect=..."), so "#/components/..."
// references resolve in the same dialect.
type schemaCompiler struct {
	l     *loader
	c     *jsonschema.Compiler
	cache map[string]*Schema
}

func newSchemaCompiler(l *loader) *schemaCompiler {
	sc := &schemaCompiler{l: l, c: jsonschema.NewCompiler(), cache: map[string]*Schema{}}
	sc.c.DefaultDraft(jsonschema.Draft2020)
	sc.c.UseLoader(loaderFunc(sc.load))
	return sc
}

type loaderFunc func(string) (any, error)

func (f loaderFunc) Load(u string) (any, error) { return f(u) }

// load serves resource URLs from the document's files, never from the network.
func (sc *schemaCompiler) load(raw string) (any, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	dialect := u.Query().Get("dialect")
	u.RawQuery = ""
	u.Fragment = ""
	if u.Scheme != "file" {
		return nil, fmt.Errorf("remote schema %s is not loaded (no network access)", raw)
	}
	src, ok := sc.l.files[u.String()]
	if !ok {
		// a $ref inside a schema to a file not yet loaded
		main := sc.l.doc.main
		if _, err := sc.l.resolve(main, u.String()); err != nil {
			return nil, err
		}
		src = sc.l.files[u.String()]
	}
	if src == nil || src.root == nil {
		return nil, fmt.Errorf("%s could not be parsed", raw)
	}
	root, ok := src.root.(map[string]any)
	if !ok {
		return src.root, nil
	}
	cp := maps.Clone(root)
	if dialect != "" {
		// A $ref to another file resolves against this resource's URL
		// without its query, so the other file would be compiled in the
		// default dialect: carry the dialect over.
		cp = withDialect(cp, u, dialect).(map[string]any)
	}
	delete(cp, "$id")
	delete(cp, "id")
	switch dialect {
	case "draft-07":
		cp["$schema"] = Dialect07
	case "draft-04":
		cp["$schema"] = Dialect04
	case "2019-09":
		cp["$schema"] = Dialect2019
	default:
		cp["$schema"] = Dialect2020
	}
	return cp, nil
}

// withDialect copies v with every $ref to another file made absolute and
// given the query "dialect=...".
func withDialect(v any, base *url.URL, dialect string) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, c := range x {
			m[k] = withDialect(c, base, dialect)
		}
		if ref, ok := x["$ref"].(string); ok && ref != "" && ref[0] != '#' {
			if r, err := url.Parse(ref); err == nil {
				abs := base.ResolveReference(r)
				if abs.Scheme == "file" {
					abs.RawQuery = "dialect=" + url.QueryEscape(dialect)
					m["$ref"] = abs.String()
				}
			}
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, c := range x {
			a[i] = withDialect(c, base, dialect)
		}
		return a
	}
	return v
}

// compile compiles the schema at n (a value inside one of the document's
// files). dialect "" means the default (2020-12) unless the schema has $schema.
// Errors become findings and a nil result.
func (sc *schemaCompiler) compile(n node, dialect, what string) *Schema {
	if !n.ok() && n.src == nil {
		return nil
	}
	if m := n.obj(); m != nil {
		if s, ok := m["$schema"].(string); ok {
			d, known := dialectOfSchemaKeyword(s)
			if !known {
				sc.l.add(n.src, n.ptr+"/$schema", SeverityError, "unsupported-dialect",
					fmt.Sprintf("%s: unsupported $schema %q", what, s), "use draft-07, draft-04, 2019-09 or 2020-12")
				return nil
			}
			dialect = d
		}
	} else if _, ok := n.v.(bool); !ok {
		sc.l.add(n.src, n.ptr, SeverityError, "invalid-schema", what+" must be a schema object or a boolean", "")
		return nil
	}
	if dialect == "" {
		dialect = Dialect2020
	}
	base, _ := url.Parse(n.src.url)
	if dialect != Dialect2020 {
		base.RawQuery = "dialect=" + dialectName(dialect)
	}
	loc := base.String() + "#" + (&url.URL{Fragment: n.ptr}).EscapedFragment()
	if s, ok := sc.cache[loc]; ok {
		return s
	}
	compiled, err := safeCompile(sc.c, loc)
	if err != nil {
		sc.report(n, what, err)
		sc.cache[loc] = nil
		return nil
	}
	s := &Schema{Compiled: compiled, Raw: n.v, Location: n.loc(), Dialect: dialect}
	sc.cache[loc] = s
	return s
}

func safeCompile(c *jsonschema.Compiler, loc string) (s *jsonschema.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("schema compiler failed: %v", r)
		}
	}()
	return c.Compile(loc)
}

// report turns a compile error into a finding placed as precisely as possible.
func (sc *schemaCompiler) report(n node, what string, err error) {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		src, ptr := sc.locate(sve.URL)
		if src == nil {
			src, ptr = n.src, n.ptr
		}
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			for _, leaf := range bestLeaves(ve) {
				p := ptr + jsonPtr(leaf.InstanceLocation)
				sc.l.add(src, p, SeverityError, "invalid-schema",
					fmt.Sprintf("%s is not a valid JSON Schema: %s", what, leafMessage(leaf, "the schema")), "")
			}
			return
		}
		sc.l.add(src, ptr, SeverityError, "invalid-schema", fmt.Sprintf("%s is not a valid JSON Schema: %v", what, sve.Err), "")
		return
	}
	msg := err.Error()
	if strings.Contains(msg, "failing loading") {
		return // the dangling $ref is reported by checkRefs
	}
	msg = strings.ReplaceAll(msg, "jsonschema: ", "")
	msg = sc.prettyURLs(msg)
	sc.l.add(n.src, n.ptr, SeverityError, "invalid-schema", fmt.Sprintf("%s cannot be compiled: %s", what, msg), "")
}

// locate maps a resource URL with fragment back to a source and pointer.
func (sc *schemaCompiler) locate(raw string) (*source, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, ""
	}
	frag := u.Fragment
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	src := sc.l.files[u.String()]
	return src, frag
}

func (sc *schemaCompiler) prettyURLs(msg string) string {
	for _, s := range sc.l.files {
		for _, d := range []string{"", "?dialect=draft-07", "?dialect=draft-04", "?dialect=2019-09"} {
			msg = strings.ReplaceAll(msg, s.url+d, s.name)
		}
	}
	return msg
}

func jsonPtr(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(escapePtr(t))
	}
	return b.String()
}

// arityOf applies the arity rule to a payload schema (see package doc).
func (l *loader) arityOf(n node, dialect string) Arity {
	if n.src == nil {
		return Arity{Kind: ArityNone}
	}
	t := l.deref(n)
	m := t.obj()
	if m == nil {
		return Arity{Kind: ArityOne, Min: 1, Max: 1}
	}
	if d, ok := m["$schema"].(string); ok {
		dialect, _ = dialectOfSchemaKeyword(d)
	}
	typ, _ := m["type"].(string)
	if typ != "array" {
		return Arity{Kind: ArityOne, Min: 1, Max: 1}
	}
	var prefix []any
	extra := true // are arguments beyond the prefix allowed?
	if p, ok := m["prefixItems"].([]any); ok && dialect != Dialect07 && dialect != Dialect04 {
		prefix = p
		if it, ok := m["items"]; ok {
			extra = it != false
		}
	} else if p, ok := m["items"].([]any); ok && (dialect == Dialect07 || dialect == Dialect04) {
		prefix = p
		if it, ok := m["additionalItems"]; ok {
			extra = it != false
		}
	} else {
		return Arity{Kind: ArityOne, Min: 1, Max: 1}
	}
	a := Arity{Kind: ArityTuple, Min: len(prefix), Max: len(prefix)}
	if extra {
		a.Max = -1
	}
	if v, ok := asInt(m["minItems"]); ok {
		a.Min = v
	}
	if v, ok := asInt(m["maxItems"]); ok && (a.Max < 0 || v < a.Max) {
		a.Max = v
	}
	return a
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), x == float64(int(x))
	}
	return 0, false
}

func asValidationError(err error) (*jsonschema.ValidationError, bool) {
	ve, ok := err.(*jsonschema.ValidationError)
	return ve, ok
}
