package asyncapi

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/sockspec/sockspec/asyncapi/internal/specs"
)

var printer = message.NewPrinter(language.English)

// bestLeaves returns the most relevant leaf errors of a validation error tree:
// for oneOf/anyOf it keeps only the branch that got furthest into the value.
func bestLeaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		var best []*jsonschema.ValidationError
		bestScore := -1
		for _, c := range e.Causes {
			leaves := bestLeaves(c)
			score := 0
			for _, l := range leaves {
				s := 2 * len(l.InstanceLocation)
				if _, isType := l.ErrorKind.(*kind.Type); !isType {
					s++ // a type mismatch at the same depth is the weakest match
				}
				if r, ok := l.ErrorKind.(*kind.Required); ok && len(r.Missing) == 1 && r.Missing[0] == "$ref" {
					s-- // the Reference branch of "Reference or X"
				}
				score = max(score, s)
			}
			if score > bestScore {
				best, bestScore = leaves, score
			}
		}
		return best
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, bestLeaves(c)...)
	}
	return out
}

// leafMessage is a person-friendly rendering of a leaf validation error.
func leafMessage(e *jsonschema.ValidationError, root string) string {
	field := root
	if n := len(e.InstanceLocation); n > 0 {
		field = fmt.Sprintf("%q", e.InstanceLocation[n-1])
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		if len(k.Missing) == 1 {
			return fmt.Sprintf("%s is missing required field %q", field, k.Missing[0])
		}
		return fmt.Sprintf("%s is missing required fields %s", field, strings.Join(quoteAll(k.Missing), ", "))
	case *kind.AdditionalProperties:
		if len(k.Properties) == 1 {
			return fmt.Sprintf("unknown field %q in %s", k.Properties[0], field)
		}
		return fmt.Sprintf("unknown fields %s in %s", strings.Join(quoteAll(k.Properties), ", "), field)
	case *kind.Type:
		return fmt.Sprintf("%s must be %s, not %s", field, article(strings.Join(k.Want, " or ")), article(k.Got))
	case *kind.FalseSchema:
		return fmt.Sprintf("%s is not allowed here", field)
	case *kind.Enum, *kind.Const:
		return fmt.Sprintf("%s: %s", field, e.ErrorKind.LocalizedString(printer))
	}
	return fmt.Sprintf("%s: %s", field, e.ErrorKind.LocalizedString(printer))
}

func article(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + s
	}
	return "a " + s
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// structural validates the main file against the official AsyncAPI JSON Schema
// of its version, as written and with $ref inlined (cycles left as $ref).
func (l *loader) structural(version string) {
	sch, err := specs.Schema(version)
	if err != nil {
		l.add(l.doc.main, "/asyncapi", SeverityError, "unsupported-version", err.Error(), "")
		return
	}
	main := l.doc.main
	l.reportStructural(sch.Validate(main.root), false)
	// The resolved check catches references to values of the wrong kind. The
	// components are validated in place by the first check and again wherever
	// they are referenced, so they are not inlined a second time at their home.
	budget := 200_000
	root, _ := main.root.(map[string]any)
	resolved := make(map[string]any, len(root))
	rn := node{main, "", main.root}
	for k, v := range root {
		if k == "components" {
			resolved[k] = v
			continue
		}
		resolved[k] = l.inline(rn.get(k), map[string]bool{}, &budget)
	}
	if budget > 0 && l.inlined > 0 {
		l.reportStructural(sch.Validate(resolved), true)
	}
}

func (l *loader) reportStructural(err error, resolved bool) {
	if err == nil {
		return
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		l.add(l.doc.main, "", SeverityError, "structure", err.Error(), "")
		return
	}
	for _, leaf := range bestLeaves(ve) {
		ptr := jsonPtr(leaf.InstanceLocation)
		if ap, ok := leaf.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) == 1 {
			ptr += "/" + escapePtr(ap.Properties[0])
		}
		src := l.doc.main
		if resolved {
			src, ptr = l.walkTo(ptr)
		}
		code, hint := "structure", ""
		if _, ok := leaf.ErrorKind.(*kind.AdditionalProperties); ok {
			hint = "remove it, fix its spelling, or prefix it with x- to make it an extension"
		}
		l.add(src, ptr, SeverityError, code, leafMessage(leaf, "the document"), hint)
	}
}

// inline returns a copy of n with every resolvable $ref replaced by its
// target; a $ref already being inlined (a cycle) is kept as is.
func (l *loader) inline(n node, stack map[string]bool, budget *int) any {
	*budget--
	if *budget <= 0 {
		return nil
	}
	switch v := n.v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if n.src == l.doc.main && (mustStayRef(n.ptr) || sameKindRef(n.ptr, ref)) {
				return v
			}
			t, err := l.resolve(n.src, ref)
			if err != nil {
				return v
			}
			key := t.src.url + "#" + t.ptr
			if stack[key] {
				return v
			}
			stack[key] = true
			defer delete(stack, key)
			l.inlined++
			return l.inline(t, stack, budget)
		}
		out := make(map[string]any, len(v))
		for k := range v {
			out[k] = l.inline(n.get(k), stack, budget)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = l.inline(n.idx(i), stack, budget)
		}
		return out
	}
	return n.v
}

// walkTo maps a pointer of the inlined document back to a source location,
// following $ref along the way.
func (l *loader) walkTo(ptr string) (*source, string) {
	cur := node{l.doc.main, "", l.doc.main.root}
	if ptr == "" {
		return cur.src, ""
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		if m := cur.obj(); m != nil {
			if ref, ok := m["$ref"].(string); ok {
				if t, err := l.resolve(cur.src, ref); err == nil {
					cur = t
				}
			}
		}
		tok = unescapePtr(tok)
		var next node
		switch cur.v.(type) {
		case map[string]any:
			next = cur.get(tok)
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err == nil {
				next = cur.idx(i)
			}
		}
		if next.src == nil {
			return cur.src, cur.ptr + "/" + escapePtr(tok)
		}
		cur = next
	}
	return cur.src, cur.ptr
}

// refOnly matches the 3.x locations whose value the AsyncAPI 3 schema
// requires to be a Reference Object even in a resolved document.
var refOnly = regexp.MustCompile(`^/(operations/[^/]+|components/operations/[^/]+|components/replies/[^/]+|operations/[^/]+/reply|components/operations/[^/]+/reply)(/channel|/messages/\d+|/reply/channel|/reply/messages/\d+)$|^/(channels|components/channels)/[^/]+/servers/\d+$`)

func mustStayRef(ptr string) bool {
	return refOnly.MatchString(ptr)
}

// sameKindRef reports whether the $ref at ptr points to a component of the
// kind expected there (a message where a message goes, a schema where a
// schema goes). The first structural check already validated that component
// at its home, so the resolved check need not inline it again; refs to other
// kinds or other places are still inlined and checked in context.
func sameKindRef(ptr, ref string) bool {
	toks := strings.Split(ptr, "/")
	parent := toks[len(toks)-1]
	grand := ""
	if len(toks) > 1 {
		grand = toks[len(toks)-2]
	}
	switch {
	case strings.HasPrefix(ref, "#/components/messages/"):
		return parent == "message" || grand == "oneOf" || grand == "messages"
	case strings.HasPrefix(ref, "#/components/schemas/"):
		return parent == "payload" || parent == "headers" || inSchema(toks)
	}
	return inSchema(toks)
}

// inSchema reports whether a pointer lies inside a payload or headers schema
// (schemas are checked by the schema compiler, not by the AsyncAPI schema).
func inSchema(toks []string) bool {
	for i, t := range toks[:len(toks)-1] {
		if (t == "payload" || t == "headers") && i > 0 || t == "schemas" && i == 2 && toks[1] == "components" {
			return true
		}
	}
	return false
}
