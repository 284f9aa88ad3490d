package fake

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// typeSet is a bit set of JSON types. tNum means "numbers that need not be
// integers"; the JSON Schema type "number" is tInt|tNum.
type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBool
	tInt
	tNum
	tStr
	tArr
	tObj

	tAll     = tNull | tBool | tInt | tNum | tStr | tArr | tObj
	tNumeric = tInt | tNum
)

func typeFromName(s string) (typeSet, bool) {
	switch s {
	case "null":
		return tNull, true
	case "boolean":
		return tBool, true
	case "integer":
		return tInt, true
	case "number":
		return tInt | tNum, true
	case "string":
		return tStr, true
	case "array":
		return tArr, true
	case "object":
		return tObj, true
	}
	return 0, false
}

const unbounded = -1

type patProp struct {
	src string
	re  *regexp.Regexp
	gen *regexGen // nil when the regexp is outside the generable subset
	n   *node
}

// node is one parsed schema. Nodes form a graph: $ref edges may be cyclic.
type node struct {
	loc string // JSON pointer in URI-fragment form, e.g. "#/properties/a"

	isBool  bool
	boolVal bool

	types   typeSet // tAll when "type" is absent
	hasType bool

	hasConst bool
	constVal any
	hasEnum  bool
	enum     []any
	examples []any // "examples", "example" (OpenAPI) and "default" values

	// numbers
	min, max     *big.Rat
	exMin, exMax bool
	multipleOf   *big.Rat
	numFormat    string

	// strings
	minLen, maxLen int
	pattern        string
	re             *regexp.Regexp
	pgen           *regexGen
	format         string

	// arrays
	prefix                   []*node
	items                    *node
	contains                 *node
	minContains, maxContains int
	minItems, maxItems       int
	unique                   bool
	unevalItemsFalse         bool

	// objects
	props            map[string]*node
	propOrder        []string
	required         []string
	additional       *node
	patProps         []patProp
	propertyNames    *node
	minProps         int
	maxProps         int
	depRequired      map[string][]string
	depSchemas       map[string]*node
	depOrder         []string
	unevalPropsFalse bool

	// applicators
	ref                *node
	allOf, anyOf       []*node
	oneOf              []*node
	not                *node
	ifN, thenN, elseN  *node
	height             int
	objHints, arrHints bool
	strHints, numHints bool
}

// parser turns a raw schema tree into a node graph.
type parser struct {
	root     any
	base     string // location of root, "#" or "#/components/..."
	resolver Resolver
	refs     map[string]*node // resolved $ref targets by key, for cycles
	anchors  map[string]any
	all      []*node
	errs     []*SchemaError
}

func newParser(root any, base string, r Resolver) *parser {
	if base == "" {
		base = "#"
	}
	p := &parser{root: root, base: base, resolver: r, refs: map[string]*node{}, anchors: map[string]any{}}
	collectAnchors(root, p.anchors)
	return p
}

func collectAnchors(v any, into map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range []string{"$anchor", "$dynamicAnchor"} {
			if s, ok := v[k].(string); ok {
				into[s] = v
			}
		}
		if s, ok := v["$id"].(string); ok && strings.HasPrefix(s, "#") && len(s) > 1 {
			into[s[1:]] = v // draft-07 location-independent identifier
		}
		for k, c := range v {
			if k == "const" || k == "enum" || k == "examples" || k == "default" {
				continue
			}
			collectAnchors(c, into)
		}
	case []any:
		for _, c := range v {
			collectAnchors(c, into)
		}
	}
}

func escapeToken(s string) string {
	s = strings.ReplaceAll(s, "~", "~0")
	return strings.ReplaceAll(s, "/", "~1")
}

func join(loc string, toks ...string) string {
	var b strings.Builder
	b.WriteString(loc)
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

func (p *parser) problem(loc, kw, format string, args ...any) {
	p.errs = append(p.errs, &SchemaError{Location: loc, Keyword: kw, Reason: fmt.Sprintf(format, args...)})
}

// resolve finds the target of a $ref written in the schema at base. The
// Resolver, when set, is asked first; "#..." references fall back to the
// local root. It returns the target, a cache key and the target's location.
func (p *parser) resolve(base, ref string) (any, string, string, error) {
	var rerr error
	if p.resolver != nil {
		v, loc, err := p.resolver(base, ref)
		if err == nil {
			if loc == "" {
				loc = ref
			}
			return v, "r:" + loc, loc, nil
		}
		rerr = err
	}
	if strings.HasPrefix(ref, "#") {
		v, err := localRef(p.root, p.anchors, ref)
		if err == nil {
			loc := p.base + ref[1:]
			if !strings.HasPrefix(ref, "#/") && ref != "#" {
				loc = ref
			}
			return v, "l:" + ref, loc, nil
		}
		if rerr != nil {
			return nil, "", "", fmt.Errorf("%w; local: %w", rerr, err)
		}
		return nil, "", "", err
	}
	if rerr != nil {
		return nil, "", "", rerr
	}
	return nil, "", "", fmt.Errorf("cannot resolve non-local reference %q without a Resolver", ref)
}

// localRef resolves "#", "#/json/pointer" or "#anchor" against root.
func localRef(root any, anchors map[string]any, ref string) (any, error) {
	frag := strings.TrimPrefix(ref, "#")
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	if frag == "" {
		return root, nil
	}
	if !strings.HasPrefix(frag, "/") {
		if v, ok := anchors[frag]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("anchor %q not found", frag)
	}
	cur := root
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("pointer %q: no member %q", frag, tok)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("pointer %q: bad index %q", frag, tok)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("pointer %q: cannot descend into %T", frag, cur)
		}
	}
	return cur, nil
}

// toRat converts a JSON number in any of the Go forms decoders produce.
func toRat(v any) (*big.Rat, bool) {
	var s string
	switch n := v.(type) {
	case float64:
		s = strconv.FormatFloat(n, 'g', -1, 64)
	case float32:
		s = strconv.FormatFloat(float64(n), 'g', -1, 32)
	case int:
		return new(big.Rat).SetInt64(int64(n)), true
	case int8:
		return new(big.Rat).SetInt64(int64(n)), true
	case int16:
		return new(big.Rat).SetInt64(int64(n)), true
	case int32:
		return new(big.Rat).SetInt64(int64(n)), true
	case int64:
		return new(big.Rat).SetInt64(n), true
	case uint:
		return new(big.Rat).SetUint64(uint64(n)), true
	case uint8:
		return new(big.Rat).SetUint64(uint64(n)), true
	case uint16:
		return new(big.Rat).SetUint64(uint64(n)), true
	case uint32:
		return new(big.Rat).SetUint64(uint64(n)), true
	case uint64:
		return new(big.Rat).SetUint64(n), true
	case json.Number:
		s = string(n)
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

func (p *parser) intKw(m map[string]any, loc, kw string, def int) int {
	v, ok := m[kw]
	if !ok {
		return def
	}
	r, ok := toRat(v)
	if !ok || !r.IsInt() || r.Sign() < 0 {
		p.problem(loc, kw, "must be a non-negative integer, got %v", v)
		return def
	}
	if !r.Num().IsInt64() || r.Num().Int64() > 1<<31 {
		return 1 << 31
	}
	return int(r.Num().Int64())
}

// parse builds (or returns the cached) node for raw at loc.
func (p *parser) parse(raw any, loc string) *node {
	return p.parseInto(&node{}, raw, loc)
}

func (p *parser) parseInto(n *node, raw any, loc string) *node {
	*n = node{loc: loc, types: tAll, maxLen: unbounded, maxItems: unbounded, maxProps: unbounded,
		minContains: 1, maxContains: unbounded}
	p.all = append(p.all, n)
	switch s := raw.(type) {
	case bool:
		n.isBool, n.boolVal = true, s
		return n
	case map[any]any:
		m := make(map[string]any, len(s))
		for k, v := range s {
			m[fmt.Sprint(k)] = v
		}
		p.fill(n, m)
	case map[string]any:
		p.fill(n, s)
	default:
		p.problem(loc, "", "a schema must be an object or a boolean, got %T", raw)
		n.isBool, n.boolVal = true, true
	}
	return n
}

func (p *parser) sub(m map[string]any, loc, kw string) *node {
	v, ok := m[kw]
	if !ok {
		return nil
	}
	return p.parse(v, join(loc, kw))
}

func (p *parser) list(m map[string]any, loc, kw string) []*node {
	v, ok := m[kw]
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		p.problem(loc, kw, "must be an array of schemas")
		return nil
	}
	out := make([]*node, len(arr))
	for i, s := range arr {
		out[i] = p.parse(s, join(loc, kw, strconv.Itoa(i)))
	}
	return out
}

func (p *parser) schemaMap(m map[string]any, loc, kw string) (map[string]*node, []string) {
	v, ok := m[kw]
	if !ok {
		return nil, nil
	}
	mm, ok := v.(map[string]any)
	if !ok {
		p.problem(loc, kw, "must be an object")
		return nil, nil
	}
	out := make(map[string]*node, len(mm))
	keys := make([]string, 0, len(mm))
	for k := range mm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out[k] = p.parse(mm[k], join(loc, kw, k))
	}
	return out, keys
}

func (p *parser) fill(n *node, m map[string]any) {
	loc := n.loc
	if r, ok := m["$ref"].(string); ok {
		n.ref = p.refNode(r, loc, "$ref")
	} else if r, ok := m["$dynamicRef"].(string); ok {
		n.ref = p.refNode(r, loc, "$dynamicRef")
	} else if r, ok := m["$recursiveRef"].(string); ok {
		n.ref = p.refNode(r, loc, "$recursiveRef")
	}

	// type, nullable
	if t, ok := m["type"]; ok {
		n.hasType = true
		n.types = 0
		switch t := t.(type) {
		case string:
			ts, ok := typeFromName(t)
			if !ok {
				p.problem(loc, "type", "unknown type %q", t)
			}
			n.types = ts
		case []any:
			for _, e := range t {
				s, _ := e.(string)
				ts, ok := typeFromName(s)
				if !ok {
					p.problem(loc, "type", "unknown type %v", e)
				}
				n.types |= ts
			}
		default:
			p.problem(loc, "type", "must be a string or an array of strings")
			n.types = tAll
		}
	}
	if nb, _ := m["nullable"].(bool); nb && n.hasType {
		n.types |= tNull
	}
	if c, ok := m["const"]; ok {
		n.hasConst, n.constVal = true, c
	}
	if e, ok := m["enum"]; ok {
		if arr, ok := e.([]any); ok {
			n.hasEnum, n.enum = true, arr
			if nb, _ := m["nullable"].(bool); nb && !slices.Contains(arr, nil) {
				n.enum = append(slices.Clip(arr), nil)
			}
		} else {
			p.problem(loc, "enum", "must be an array")
		}
	}

	if ex, ok := m["examples"].([]any); ok {
		n.examples = append(n.examples, ex...)
	}
	for _, kw := range []string{"example", "default"} {
		if ex, ok := m[kw]; ok {
			n.examples = append(n.examples, ex)
		}
	}

	// numbers
	num := func(kw string) *big.Rat {
		v, ok := m[kw]
		if !ok {
			return nil
		}
		if _, isBool := v.(bool); isBool {
			return nil
		}
		r, ok := toRat(v)
		if !ok {
			p.problem(loc, kw, "must be a number, got %v", v)
			return nil
		}
		n.numHints = true
		return r
	}
	n.min, n.max = num("minimum"), num("maximum")
	if b, _ := m["exclusiveMinimum"].(bool); b && n.min != nil { // draft-04 / OpenAPI 3.0
		n.exMin = true
	} else if r := num("exclusiveMinimum"); r != nil && (n.min == nil || r.Cmp(n.min) >= 0) {
		n.min, n.exMin = r, true
	}
	if b, _ := m["exclusiveMaximum"].(bool); b && n.max != nil {
		n.exMax = true
	} else if r := num("exclusiveMaximum"); r != nil && (n.max == nil || r.Cmp(n.max) <= 0) {
		n.max, n.exMax = r, true
	}
	if r := num("multipleOf"); r != nil {
		if r.Sign() <= 0 {
			p.problem(loc, "multipleOf", "must be greater than 0")
		} else {
			n.multipleOf = r
		}
	}

	// strings
	n.minLen = p.intKw(m, loc, "minLength", 0)
	n.maxLen = p.intKw(m, loc, "maxLength", unbounded)
	if _, ok := m["minLength"]; ok {
		n.strHints = true
	}
	if _, ok := m["maxLength"]; ok {
		n.strHints = true
	}
	if f, ok := m["format"].(string); ok {
		n.format = f
		switch f {
		case "int32", "int64", "float", "double":
			n.numFormat = f
		default:
			n.strHints = true
		}
	}
	if pat, ok := m["pattern"].(string); ok {
		n.strHints = true
		n.pattern = pat
		re, pg, err := compilePattern(pat)
		if err != nil {
			p.problem(loc, "pattern", "%v", err)
		}
		n.re, n.pgen = re, pg
	}

	// arrays
	if it, ok := m["items"]; ok {
		n.arrHints = true
		if arr, isArr := it.([]any); isArr { // draft-07 tuple form
			n.prefix = make([]*node, len(arr))
			for i, s := range arr {
				n.prefix[i] = p.parse(s, join(loc, "items", strconv.Itoa(i)))
			}
			n.items = p.sub(m, loc, "additionalItems")
		} else {
			n.items = p.parse(it, join(loc, "items"))
		}
	}
	if _, ok := m["prefixItems"]; ok {
		n.arrHints = true
		n.prefix = p.list(m, loc, "prefixItems")
	}
	n.contains = p.sub(m, loc, "contains")
	n.minContains = p.intKw(m, loc, "minContains", 1)
	n.maxContains = p.intKw(m, loc, "maxContains", unbounded)
	n.minItems = p.intKw(m, loc, "minItems", 0)
	n.maxItems = p.intKw(m, loc, "maxItems", unbounded)
	n.unique, _ = m["uniqueItems"].(bool)
	if b, ok := m["unevaluatedItems"].(bool); ok && !b {
		n.unevalItemsFalse = true
	}
	for _, kw := range []string{"contains", "minItems", "maxItems", "uniqueItems"} {
		if _, ok := m[kw]; ok {
			n.arrHints = true
		}
	}

	// objects
	n.props, n.propOrder = p.schemaMap(m, loc, "properties")
	if r, ok := m["required"]; ok {
		arr, _ := r.([]any)
		for _, e := range arr {
			if s, ok := e.(string); ok && !slices.Contains(n.required, s) {
				n.required = append(n.required, s)
			}
		}
		if _, ok := r.([]any); !ok {
			if _, isBool := r.(bool); !isBool { // OpenAPI-ish "required: true" on a property is ignored
				p.problem(loc, "required", "must be an array of strings")
			}
		}
	}
	n.additional = p.sub(m, loc, "additionalProperties")
	if pp, ok := m["patternProperties"].(map[string]any); ok {
		keys := make([]string, 0, len(pp))
		for k := range pp {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ploc := join(loc, "patternProperties", k)
			re, pg, err := compilePattern(k)
			if re == nil {
				p.problem(ploc, "", "invalid patternProperties regexp: %v", err)
				continue
			}
			n.patProps = append(n.patProps, patProp{src: k, re: re, gen: pg, n: p.parse(pp[k], ploc)})
		}
	}
	n.propertyNames = p.sub(m, loc, "propertyNames")
	n.minProps = p.intKw(m, loc, "minProperties", 0)
	n.maxProps = p.intKw(m, loc, "maxProperties", unbounded)
	depReq := map[string][]string{}
	depSch := map[string]*node{}
	addDeps := func(kw string, v any) {
		mm, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, d := range mm {
			switch d := d.(type) {
			case []any:
				for _, e := range d {
					if s, ok := e.(string); ok {
						depReq[k] = append(depReq[k], s)
					}
				}
			default:
				depSch[k] = p.parse(d, join(loc, kw, k))
			}
		}
	}
	addDeps("dependencies", m["dependencies"])
	addDeps("dependentRequired", m["dependentRequired"])
	addDeps("dependentSchemas", m["dependentSchemas"])
	if len(depReq) > 0 {
		n.depRequired = depReq
	}
	if len(depSch) > 0 {
		n.depSchemas = depSch
	}
	for k := range depReq {
		n.depOrder = append(n.depOrder, k)
	}
	for k := range depSch {
		if _, dup := depReq[k]; !dup {
			n.depOrder = append(n.depOrder, k)
		}
	}
	slices.Sort(n.depOrder)
	if b, ok := m["unevaluatedProperties"].(bool); ok && !b {
		n.unevalPropsFalse = true
	}
	for _, kw := range []string{"properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties", "propertyNames"} {
		if _, ok := m[kw]; ok {
			n.objHints = true
		}
	}

	// applicators
	n.allOf = p.list(m, loc, "allOf")
	n.anyOf = p.list(m, loc, "anyOf")
	n.oneOf = p.list(m, loc, "oneOf")
	n.not = p.sub(m, loc, "not")
	if _, ok := m["if"]; ok {
		n.ifN = p.sub(m, loc, "if")
		n.thenN = p.sub(m, loc, "then")
		n.elseN = p.sub(m, loc, "else")
	}
}

func (p *parser) refNode(ref, loc, kw string) *node {
	target, key, tloc, err := p.resolve(loc, ref)
	if err != nil {
		p.problem(loc, kw, "cannot resolve %q: %v", ref, err)
		return nil
	}
	if n, ok := p.refs[key]; ok {
		return n
	}
	// Reserve the slot before parsing so that recursive references find it.
	n := &node{}
	p.refs[key] = n
	return p.parseInto(n, target, tloc)
}
