// Package fastschema is a fast path for JSON Schema validation: it compiles
// the common subset of JSON Schema (types, properties, required,
// additionalProperties, items, prefixItems, lengths, bounds, pattern, enum,
// const, allOf/anyOf/oneOf/not, $ref) into a tree of checks on the values
// encoding/json produces, without the allocations and big-number arithmetic
// of a general validator.
//
// It only answers "valid or not". A schema with any keyword outside the
// subset does not compile (Compile returns nil), and callers run the full
// validator whenever Valid returns false, to get the precise error (and the
// final word). So the fast path must never accept a value the full validator
// rejects; it may reject values the full validator accepts (an unexpected Go
// type, for example), which only costs time.
package fastschema

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Resolver resolves a $ref found in file and returns the target value and
// the file it lives in.
type Resolver func(file, ref string) (value any, targetFile string, err error)

// Options select the dialect.
type Options struct {
	// Legacy is true for draft-04/06/07: items may be an array (a tuple) with
	// additionalItems, $ref siblings are ignored, and format is asserted
	// (so a schema using format does not compile).
	Legacy bool
}

// Schema is a compiled schema. The zero value is not usable.
type Schema struct {
	always, never bool // boolean schemas

	types uint8 // bit set of type*; 0 = any

	props       map[string]*Schema
	required    []string
	addl        *Schema // nil: any additional property
	minProps    int
	maxProps    int // -1: none
	prefix      []*Schema
	items       *Schema // after prefix; nil: any
	minItems    int
	maxItems    int // -1
	minLen      int
	maxLen      int // -1
	pattern     *regexp.Regexp
	hasMin      bool
	min         float64
	minExcl     bool
	hasMax      bool
	max         float64
	maxExcl     bool
	enum        []any
	hasConst    bool
	constV      any
	allOf       []*Schema
	anyOf       []*Schema
	oneOf       []*Schema
	not         *Schema
	ref         *Schema
	checkObject bool
	reqIdx      map[string]int // required name -> bit; nil when more than 64 are required
	keys        map[string]keyInfo
}

// keyInfo is what ValidJSON needs about a property name, in one lookup.
type keyInfo struct {
	prop *Schema
	bit  int // required bit, -1 when not required
}

const (
	typeNull uint8 = 1 << iota
	typeBool
	typeInt
	typeNum
	typeStr
	typeArr
	typeObj
)

type compiler struct {
	resolve Resolver
	opts    Options
	seen    map[string]*Schema // file#ref -> schema being compiled (recursion)
	depth   int
}

type unsupported struct{}

// Compile compiles raw, a schema of file (as decoded from JSON or YAML), or
// returns nil when it uses something outside the supported subset.
func Compile(raw any, file string, resolve Resolver, opts Options) (s *Schema) {
	c := &compiler{resolve: resolve, opts: opts, seen: map[string]*Schema{}}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unsupported); ok {
				s = nil
				return
			}
			panic(r)
		}
	}()
	return c.compile(raw, file)
}

func bail() { panic(unsupported{}) }

// annotations are keywords that do not constrain values.
var annotations = map[string]bool{
	"title": true, "description": true, "examples": true, "example": true, "default": true, "$comment": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "$defs": true, "definitions": true,
	"discriminator": true, "externalDocs": true, "xml": true,
}

func (c *compiler) compile(raw any, file string) *Schema {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 {
		bail()
	}
	switch v := raw.(type) {
	case bool:
		return &Schema{always: v, never: !v}
	case map[string]any:
		return c.object(v, file)
	}
	bail()
	return nil
}

func (c *compiler) object(m map[string]any, file string) *Schema {
	s := &Schema{maxProps: -1, maxItems: -1, maxLen: -1}
	if ref, ok := m["$ref"]; ok {
		rs, ok := ref.(string)
		if !ok || c.resolve == nil {
			bail()
		}
		s.ref = c.refSchema(file, rs)
		if c.opts.Legacy {
			return s // siblings of $ref are ignored before 2019-09
		}
	}
	for k, v := range m {
		switch k {
		case "$ref":
		case "type":
			s.types = typesOf(v)
		case "properties":
			pm, ok := v.(map[string]any)
			if !ok {
				bail()
			}
			s.props = make(map[string]*Schema, len(pm))
			for name, ps := range pm {
				s.props[name] = c.compile(ps, file)
			}
		case "required":
			for _, r := range list(v) {
				name, ok := r.(string)
				if !ok {
					bail()
				}
				s.required = append(s.required, name)
			}
		case "additionalProperties":
			s.addl = c.compile(v, file)
		case "minProperties":
			s.minProps = intOf(v)
		case "maxProperties":
			s.maxProps = intOf(v)
		case "prefixItems":
			if c.opts.Legacy {
				continue // not a keyword before 2020-12
			}
			for _, it := range list(v) {
				s.prefix = append(s.prefix, c.compile(it, file))
			}
		case "items":
			if arr, ok := v.([]any); ok {
				if !c.opts.Legacy {
					bail()
				}
				for _, it := range arr {
					s.prefix = append(s.prefix, c.compile(it, file))
				}
			} else {
				s.items = c.compile(v, file)
			}
		case "additionalItems":
			if !c.opts.Legacy {
				continue
			}
			if _, isTuple := m["items"].([]any); isTuple {
				s.items = c.compile(v, file)
			}
		case "minItems":
			s.minItems = intOf(v)
		case "maxItems":
			s.maxItems = intOf(v)
		case "minLength":
			s.minLen = intOf(v)
		case "maxLength":
			s.maxLen = intOf(v)
		case "pattern":
			p, ok := v.(string)
			if !ok {
				bail()
			}
			re, err := regexp.Compile(p)
			if err != nil {
				bail()
			}
			s.pattern = re
		case "minimum":
			s.hasMin, s.min = true, num(v)
		case "maximum":
			s.hasMax, s.max = true, num(v)
		case "exclusiveMinimum":
			s.minExclusive(num(v))
		case "exclusiveMaximum":
			s.maxExclusive(num(v))
		case "enum":
			s.enum = list(v)
			if s.enum == nil {
				s.enum = []any{}
			}
		case "const":
			s.hasConst, s.constV = true, v
		case "allOf":
			s.allOf = c.all(v, file)
		case "anyOf":
			s.anyOf = c.all(v, file)
		case "oneOf":
			s.oneOf = c.all(v, file)
		case "not":
			s.not = c.compile(v, file)
		case "format", "contentEncoding", "contentMediaType":
			if c.opts.Legacy {
				bail()
			}
		default:
			if annotations[k] || strings.HasPrefix(k, "x-") {
				continue
			}
			bail()
		}
	}
	s.checkObject = s.props != nil || s.required != nil || s.addl != nil || s.minProps > 0 || s.maxProps >= 0
	if len(s.required) > 0 && len(s.required) <= 64 {
		s.reqIdx = make(map[string]int, len(s.required))
		for _, r := range s.required {
			if _, dup := s.reqIdx[r]; !dup {
				s.reqIdx[r] = len(s.reqIdx)
			}
		}
	}
	if len(s.props) > 0 || len(s.reqIdx) > 0 {
		s.keys = make(map[string]keyInfo, len(s.props)+len(s.reqIdx))
		for name, p := range s.props {
			s.keys[name] = keyInfo{prop: p, bit: -1}
		}
		for name, bit := range s.reqIdx {
			k, ok := s.keys[name]
			if !ok {
				k.bit = -1
			}
			k.bit = bit
			s.keys[name] = k
		}
	}
	return s
}

func (s *Schema) minExclusive(f float64) {
	if !s.hasMin || f >= s.min {
		s.hasMin, s.min, s.minExcl = true, f, true
	}
}

func (s *Schema) maxExclusive(f float64) {
	if !s.hasMax || f <= s.max {
		s.hasMax, s.max, s.maxExcl = true, f, true
	}
}

func (c *compiler) all(v any, file string) []*Schema {
	l := list(v)
	if len(l) == 0 {
		bail()
	}
	out := make([]*Schema, len(l))
	for i, e := range l {
		out[i] = c.compile(e, file)
	}
	return out
}

func (c *compiler) refSchema(file, ref string) *Schema {
	if !strings.HasPrefix(ref, "#") && !strings.Contains(ref, "#") {
		ref += "#"
	}
	key := file + "\x00" + ref
	if s, ok := c.seen[key]; ok {
		return s
	}
	target, tfile, err := c.resolve(file, ref)
	if err != nil {
		bail()
	}
	holder := &Schema{maxProps: -1, maxItems: -1, maxLen: -1}
	c.seen[key] = holder
	*holder = *c.compile(target, tfile)
	return holder
}

func list(v any) []any {
	l, ok := v.([]any)
	if !ok {
		bail()
	}
	return l
}

func typesOf(v any) uint8 {
	var out uint8
	add := func(t any) {
		switch t {
		case "null":
			out |= typeNull
		case "boolean":
			out |= typeBool
		case "integer":
			out |= typeInt
		case "number":
			out |= typeNum | typeInt
		case "string":
			out |= typeStr
		case "array":
			out |= typeArr
		case "object":
			out |= typeObj
		default:
			bail()
		}
	}
	if l, ok := v.([]any); ok {
		for _, t := range l {
			add(t)
		}
		if out == 0 {
			bail()
		}
		return out
	}
	add(v)
	return out
}

func num(v any) float64 {
	f, ok := toFloat(v)
	if !ok {
		bail()
	}
	return f
}

func intOf(v any) int {
	f := num(v)
	if f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		bail()
	}
	return int(f)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float32:
		return float64(x), true
	}
	return 0, false
}

// Valid reports whether v (a value as encoding/json decodes into any:
// map[string]any, []any, string, float64, bool, nil; int64 is accepted too)
// is valid. False may also mean "not sure": run the full validator then.
func (s *Schema) Valid(v any) bool {
	return s.valid(v, 0)
}

func (s *Schema) valid(v any, depth int) bool {
	if depth > 256 {
		return false
	}
	if s.always {
		return true
	}
	if s.never {
		return false
	}
	if s.ref != nil && !s.ref.valid(v, depth+1) {
		return false
	}
	switch x := v.(type) {
	case nil:
		if !s.typeOK(typeNull) {
			return false
		}
	case bool:
		if !s.typeOK(typeBool) {
			return false
		}
	case string:
		if !s.typeOK(typeStr) || !s.str(x) {
			return false
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || !s.number(x) {
			return false
		}
	case int64:
		if !s.number(float64(x)) {
			return false
		}
	case map[string]any:
		if !s.typeOK(typeObj) || (s.checkObject && !s.object(x, depth)) {
			return false
		}
	case []any:
		if !s.typeOK(typeArr) || !s.array(x, depth) {
			return false
		}
	default:
		return false
	}
	if s.enum != nil {
		found := false
		for _, e := range s.enum {
			if equal(v, e) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if s.hasConst && !equal(v, s.constV) {
		return false
	}
	for _, a := range s.allOf {
		if !a.valid(v, depth+1) {
			return false
		}
	}
	if s.anyOf != nil {
		ok := false
		for _, a := range s.anyOf {
			if a.valid(v, depth+1) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if s.oneOf != nil {
		n := 0
		for _, a := range s.oneOf {
			if a.valid(v, depth+1) {
				n++
			}
		}
		// a branch may reject what the full validator accepts: only a
		// single certain match is a sure answer
		if n != 1 {
			return false
		}
	}
	if s.not != nil && s.not.valid(v, depth+1) {
		return false
	}
	return true
}

func (s *Schema) typeOK(t uint8) bool { return s.types == 0 || s.types&t != 0 }

func (s *Schema) str(x string) bool {
	if s.minLen > 0 || s.maxLen >= 0 {
		n := utf8.RuneCountInString(x)
		if n < s.minLen || (s.maxLen >= 0 && n > s.maxLen) {
			return false
		}
	}
	return s.pattern == nil || s.pattern.MatchString(x)
}

func (s *Schema) number(f float64) bool {
	if s.types != 0 {
		isInt := f == math.Trunc(f)
		if !(s.types&typeNum != 0 || (isInt && s.types&typeInt != 0)) {
			return false
		}
	}
	if s.hasMin && (f < s.min || (s.minExcl && f == s.min)) {
		return false
	}
	if s.hasMax && (f > s.max || (s.maxExcl && f == s.max)) {
		return false
	}
	return true
}

func (s *Schema) object(m map[string]any, depth int) bool {
	if len(m) < s.minProps || (s.maxProps >= 0 && len(m) > s.maxProps) {
		return false
	}
	for _, r := range s.required {
		if _, ok := m[r]; !ok {
			return false
		}
	}
	if s.props == nil && s.addl == nil {
		return true
	}
	for k, v := range m {
		if p, ok := s.props[k]; ok {
			if !p.valid(v, depth+1) {
				return false
			}
		} else if s.addl != nil && !s.addl.valid(v, depth+1) {
			return false
		}
	}
	return true
}

func (s *Schema) array(a []any, depth int) bool {
	if len(a) < s.minItems || (s.maxItems >= 0 && len(a) > s.maxItems) {
		return false
	}
	for i, v := range a {
		var sub *Schema
		if i < len(s.prefix) {
			sub = s.prefix[i]
		} else {
			sub = s.items
		}
		if sub != nil && !sub.valid(v, depth+1) {
			return false
		}
	}
	return true
}

// equal is JSON equality: numbers by value, objects and arrays deeply.
func equal(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}
