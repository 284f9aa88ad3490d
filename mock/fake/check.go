package fake

import (
	"cmp"
	"slices"
)

const infHeight = 1 << 20

// computeHeights sets node.height to the minimal nesting depth of a value
// valid for the node (0 for scalars and empty containers, infHeight when
// the schema only admits infinitely deep values). It is a fixpoint over
// the possibly cyclic graph, iterated down from infinity.
func computeHeights(all []*node, dead map[*node][]*SchemaError) {
	for _, n := range all {
		n.height = infHeight
	}
	for range len(all) + 2 {
		changed := false
		for _, n := range all {
			if _, isDead := dead[n]; isDead {
				continue
			}
			if h := nodeHeight(n); h < n.height {
				n.height = h
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

func hOf(n *node) int {
	if n == nil {
		return 0
	}
	return n.height
}

func nodeHeight(n *node) int {
	if n.isBool {
		if n.boolVal {
			return 0
		}
		return infHeight
	}
	own := 0
	if !n.hasConst && !n.hasEnum && n.types&^(tArr|tObj) == 0 {
		own = infHeight
		if n.types&tArr != 0 {
			need := n.minItems
			h := 0
			if n.contains != nil && n.minContains > 0 {
				need = max(need, 1)
				h = hOf(n.contains)
			}
			for i := range need {
				switch {
				case i < len(n.prefix):
					h = max(h, hOf(n.prefix[i]))
				case n.items != nil:
					h = max(h, hOf(n.items))
				}
			}
			if need > 0 {
				own = min(own, min(infHeight, 1+h))
			} else {
				own = 0
			}
		}
		if n.types&tObj != 0 {
			h := 0
			for _, k := range n.required {
				ps := valueParts([]*node{n}, k)
				h = max(h, heightOf(ps))
			}
			if len(n.required) > 0 {
				own = min(own, min(infHeight, 1+h))
			} else {
				own = 0
			}
		}
	}
	h := max(own, hOf(n.ref))
	for _, s := range n.allOf {
		h = max(h, s.height)
	}
	if len(n.anyOf) > 0 {
		h = max(h, slices.MinFunc(n.anyOf, byHeight).height)
	}
	if len(n.oneOf) > 0 {
		h = max(h, slices.MinFunc(n.oneOf, byHeight).height)
	}
	return h
}

func byHeight(a, b *node) int { return cmp.Compare(a.height, b.height) }

// flatten returns n with its $ref and allOf closure, without choosing
// any branch: constraints that always apply together.
func flatten(n *node) []*node {
	var out []*node
	seen := map[*node]bool{}
	var visit func(*node)
	visit = func(n *node) {
		if n == nil || seen[n] || n.isBool {
			return
		}
		seen[n] = true
		out = append(out, n)
		visit(n.ref)
		for _, s := range n.allOf {
			visit(s)
		}
	}
	visit(n)
	return out
}

// staticCheck finds the schemas that no value can satisfy, with the
// reasons, without sampling. Those that are contradictions (minimum >
// maximum…) rather than deliberate ("false", "not": {}) are also returned
// in bugs. The generator steers clear of dead schemas; see Prepare for
// which ones are errors.
func staticCheck(all []*node) (dead, bugs map[*node][]*SchemaError) {
	dead = map[*node][]*SchemaError{}
	bugs = map[*node][]*SchemaError{}
	kill := func(n *node, e *SchemaError) {
		dead[n] = append(dead[n], e)
		bugs[n] = append(bugs[n], e)
	}
	probe := &state{maxDepth: infHeight}
	for _, n := range all {
		if n.isBool {
			if !n.boolVal {
				dead[n] = append(dead[n], schemaErr(n.loc, "", "schema is false: no value is valid"))
			}
			continue
		}
		if _, err := probe.typeChoice([]*node{n}, 0); err != nil {
			err.Location = n.loc
			kill(n, err)
			continue
		}
		exp := flatten(n)
		if len(exp) > 1 {
			if _, err := probe.typeChoice(exp, 0); err != nil && !slices.ContainsFunc(exp[1:], func(m *node) bool {
				_, e := probe.typeChoice([]*node{m}, 0)
				return e != nil
			}) {
				err.Location = n.loc
				kill(n, err)
				continue
			}
		}
		if n.not != nil && (n.not.isBool && n.not.boolVal || !n.not.isBool && onlyType(n.not) && !n.not.hasType) {
			dead[n] = append(dead[n], schemaErr(n.loc, "not", "\"not\" of a schema that accepts everything rejects every value"))
		}
		if n.maxContains != unbounded && n.contains != nil && n.minContains > n.maxContains {
			kill(n, schemaErr(n.loc, "minContains", "minContains %d > maxContains %d", n.minContains, n.maxContains))
		}
		if n.unique && len(n.prefix) == 0 && n.items != nil {
			if d := domainSize(n.items); d >= 0 && n.minItems > d {
				kill(n, schemaErr(n.loc, "uniqueItems", "minItems %d distinct items needed but the items schema allows only %d values", n.minItems, d))
			}
		}
		if n.hasConst && !match(n, n.constVal) {
			kill(n, schemaErr(n.loc, "const", "the const value does not satisfy the rest of the schema"))
		}
		if n.hasEnum && !slices.ContainsFunc(n.enum, func(v any) bool { return match(n, v) }) {
			kill(n, schemaErr(n.loc, "enum", "no enum value satisfies the rest of the schema"))
		}
	}
	return dead, bugs
}

// reachableBugs returns the contradictions in schemas that generation can
// use: everything reachable from the root except through "not" and "if",
// where an unsatisfiable schema is legitimate.
func reachableBugs(root *node, bugs map[*node][]*SchemaError) []*SchemaError {
	var out []*SchemaError
	seen := map[*node]bool{}
	var visit func(n *node)
	visit = func(n *node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		out = append(out, bugs[n]...)
		if n.isBool {
			return
		}
		visit(n.ref)
		for _, l := range [][]*node{n.allOf, n.anyOf, n.oneOf, n.prefix} {
			for _, s := range l {
				visit(s)
			}
		}
		visit(n.thenN)
		visit(n.elseN)
		for _, k := range n.propOrder {
			visit(n.props[k])
		}
		for _, pp := range n.patProps {
			visit(pp.n)
		}
		visit(n.additional)
		visit(n.items)
		visit(n.contains)
		visit(n.propertyNames)
		for _, k := range n.depOrder {
			visit(n.depSchemas[k])
		}
	}
	visit(root)
	return out
}

// deadReasons explains an unsatisfiable root (height infinite): the dead
// schemas a value of the root cannot avoid, found along the edges that
// must be satisfied ($ref, allOf, required properties, minimum items,
// contains, and anyOf/oneOf whose branches are all unsatisfiable).
func deadReasons(root *node, dead map[*node][]*SchemaError) []*SchemaError {
	var out []*SchemaError
	seen := map[*node]bool{}
	var visit func(n *node)
	visit = func(n *node) {
		if n == nil || seen[n] || n.height < infHeight {
			return
		}
		seen[n] = true
		if errs, ok := dead[n]; ok {
			out = append(out, errs...)
			return
		}
		if n.isBool {
			return
		}
		visit(n.ref)
		for _, s := range n.allOf {
			visit(s)
		}
		for _, bs := range [][]*node{n.anyOf, n.oneOf} {
			for _, b := range bs {
				visit(b)
			}
		}
		if n.types&^(tArr|tObj) == 0 {
			for _, k := range n.required {
				for _, s := range valueParts([]*node{n}, k) {
					visit(s)
				}
			}
			for i := range n.minItems {
				for _, s := range itemParts([]*node{n}, i) {
					visit(s)
				}
			}
			if n.minContains > 0 {
				visit(n.contains)
			}
		}
	}
	visit(root)
	if len(out) == 0 {
		out = append(out, schemaErr(root.loc, "", "no finite value satisfies the schema (recursion without a base case?)"))
	}
	return out
}

// domainSize counts the values a schema allows when that set is small and
// obvious (const, enum, boolean/null types); -1 otherwise.
func domainSize(n *node) int {
	if n.isBool {
		if n.boolVal {
			return -1
		}
		return 0
	}
	if n.hasConst || n.hasEnum {
		vals := n.enum
		if n.hasConst {
			vals = []any{n.constVal}
		}
		var ok []any
		for _, v := range vals {
			if match(n, v) && !slices.ContainsFunc(ok, func(w any) bool { return equalJSON(v, w) }) {
				ok = append(ok, v)
			}
		}
		return len(ok)
	}
	if n.hasType && n.types&^(tBool|tNull) == 0 && n.ref == nil && len(n.allOf)+len(n.anyOf)+len(n.oneOf) == 0 && n.not == nil && n.ifN == nil {
		c := 0
		if n.types&tBool != 0 {
			c += 2
		}
		if n.types&tNull != 0 {
			c++
		}
		return c
	}
	return -1
}
