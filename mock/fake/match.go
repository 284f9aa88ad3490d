package fake

import (
	"encoding/json"
	"math/big"
	"slices"
	"unicode/utf8"
)

// jsonType classifies a generated or literal value; integral numbers are
// tInt, other numbers tNum. It returns 0 for values that are not JSON.
func jsonType(v any) typeSet {
	switch v := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBool
	case string:
		return tStr
	case []any:
		return tArr
	case map[string]any:
		return tObj
	case json.Number, float64, float32:
		r, ok := toRat(v)
		if !ok {
			return 0
		}
		if r.IsInt() {
			return tInt
		}
		return tNum
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return tInt
	}
	return 0
}

// equalJSON is JSON equality: numbers by value, objects by members.
func equalJSON(a, b any) bool {
	ta, tb := jsonType(a), jsonType(b)
	if ta&tNumeric != 0 && tb&tNumeric != 0 {
		ra, _ := toRat(a)
		rb, _ := toRat(b)
		return ra.Cmp(rb) == 0
	}
	if ta != tb {
		return false
	}
	switch a := a.(type) {
	case nil:
		return true
	case bool:
		return a == b.(bool)
	case string:
		return a == b.(string)
	case []any:
		bb := b.([]any)
		return len(a) == len(bb) && slices.EqualFunc(a, bb, equalJSON)
	case map[string]any:
		bb := b.(map[string]any)
		if len(a) != len(bb) {
			return false
		}
		for k, v := range a {
			w, ok := bb[k]
			if !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// matcher validates values against the node graph. It mirrors the JSON
// Schema semantics the generator relies on to choose between branches;
// "format" and "unevaluated*" are left to the real validator. depth guards
// against schemas that recurse without consuming the instance.
type matcher struct {
	// active holds the (node, instance depth) pairs being evaluated: a
	// schema reached again for the same instance without descending into
	// it is a loop ({"anyOf": [{"$ref": "#"}, …]}), which fails instead of
	// recursing (and instead of exploring exponentially many paths).
	active []activeKey
	inst   int
}

type activeKey struct {
	n    *node
	inst int
}

func match(n *node, v any) bool {
	m := matcher{}
	return m.match(n, v)
}

func (m *matcher) match(n *node, v any) bool {
	if n == nil {
		return true
	}
	if n.isBool {
		return n.boolVal
	}
	for i := len(m.active) - 1; i >= 0 && m.active[i].inst == m.inst; i-- {
		if m.active[i].n == n {
			return false
		}
	}
	if len(m.active) > 1000 {
		return false
	}
	m.active = append(m.active, activeKey{n, m.inst})
	defer func() { m.active = m.active[:len(m.active)-1] }()
	t := jsonType(v)
	if t == 0 {
		return false
	}
	if n.hasType {
		ok := n.types&t != 0
		if t == tInt && n.types&tNum != 0 {
			ok = true
		}
		if !ok {
			return false
		}
	}
	if n.hasConst && !equalJSON(n.constVal, v) {
		return false
	}
	if n.hasEnum && !slices.ContainsFunc(n.enum, func(e any) bool { return equalJSON(e, v) }) {
		return false
	}
	switch t {
	case tInt, tNum:
		if !matchNum(n, v) {
			return false
		}
	case tStr:
		s := v.(string)
		l := utf8.RuneCountInString(s)
		if l < n.minLen || (n.maxLen != unbounded && l > n.maxLen) {
			return false
		}
		if n.re != nil && !n.re.MatchString(s) {
			return false
		}
	case tArr:
		m.inst++
		ok := m.matchArr(n, v.([]any))
		m.inst--
		if !ok {
			return false
		}
	case tObj:
		m.inst++
		ok := m.matchObj(n, v.(map[string]any))
		m.inst--
		if !ok {
			return false
		}
	}
	if n.ref != nil && !m.match(n.ref, v) {
		return false
	}
	for _, s := range n.allOf {
		if !m.match(s, v) {
			return false
		}
	}
	if len(n.anyOf) > 0 && !slices.ContainsFunc(n.anyOf, func(s *node) bool { return m.match(s, v) }) {
		return false
	}
	if len(n.oneOf) > 0 {
		c := 0
		for _, s := range n.oneOf {
			if m.match(s, v) {
				c++
				if c > 1 {
					return false
				}
			}
		}
		if c != 1 {
			return false
		}
	}
	if n.not != nil && m.match(n.not, v) {
		return false
	}
	if n.ifN != nil {
		if m.match(n.ifN, v) {
			if n.thenN != nil && !m.match(n.thenN, v) {
				return false
			}
		} else if n.elseN != nil && !m.match(n.elseN, v) {
			return false
		}
	}
	return true
}

func matchNum(n *node, v any) bool {
	if n.min == nil && n.max == nil && n.multipleOf == nil {
		return true
	}
	r, ok := toRat(v)
	if !ok {
		return false
	}
	if n.min != nil {
		c := r.Cmp(n.min)
		if c < 0 || (c == 0 && n.exMin) {
			return false
		}
	}
	if n.max != nil {
		c := r.Cmp(n.max)
		if c > 0 || (c == 0 && n.exMax) {
			return false
		}
	}
	if n.multipleOf != nil && !new(big.Rat).Quo(r, n.multipleOf).IsInt() {
		return false
	}
	return true
}

func (m *matcher) matchArr(n *node, a []any) bool {
	if len(a) < n.minItems || (n.maxItems != unbounded && len(a) > n.maxItems) {
		return false
	}
	for i, e := range a {
		var s *node
		if i < len(n.prefix) {
			s = n.prefix[i]
		} else {
			s = n.items
		}
		if s != nil && !m.match(s, e) {
			return false
		}
	}
	if n.contains != nil {
		c := 0
		for _, e := range a {
			if m.match(n.contains, e) {
				c++
			}
		}
		if c < n.minContains || (n.maxContains != unbounded && c > n.maxContains) {
			return false
		}
	}
	if n.unique {
		for i := range a {
			for j := i + 1; j < len(a); j++ {
				if equalJSON(a[i], a[j]) {
					return false
				}
			}
		}
	}
	return true
}

func (m *matcher) matchObj(n *node, o map[string]any) bool {
	if len(o) < n.minProps || (n.maxProps != unbounded && len(o) > n.maxProps) {
		return false
	}
	for _, k := range n.required {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	for k, v := range o {
		declared := false
		if s, ok := n.props[k]; ok {
			declared = true
			if !m.match(s, v) {
				return false
			}
		}
		for _, pp := range n.patProps {
			if pp.re.MatchString(k) {
				declared = true
				if !m.match(pp.n, v) {
					return false
				}
			}
		}
		if !declared && n.additional != nil && !m.match(n.additional, v) {
			return false
		}
		if n.propertyNames != nil && !m.match(n.propertyNames, k) {
			return false
		}
	}
	for k, deps := range n.depRequired {
		if _, ok := o[k]; ok {
			for _, d := range deps {
				if _, ok := o[d]; !ok {
					return false
				}
			}
		}
	}
	for k, s := range n.depSchemas {
		if _, ok := o[k]; ok {
			m.inst-- // the same instance, not a member
			ok = m.match(s, o)
			m.inst++
			if !ok {
				return false
			}
		}
	}
	return true
}
