package docs

import (
	"net/url"
	"strconv"
	"strings"
)

// maxRefHops bounds a chain of $ref objects pointing at other $ref objects,
// so that a document whose refs form a loop ("#/a" -> "#/b" -> "#/a") cannot
// hang the renderer.
const maxRefHops = 32

// resolver follows local JSON references ("#/components/...") inside one raw
// AsyncAPI document. External references are reported, never fetched: the
// docs page works without network access.
type resolver struct {
	root map[string]any
}

// refOf returns the $ref string of v when v is a Reference Object.
func refOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := m["$ref"].(string)
	return s, ok
}

// deref follows v's $ref chain. It returns the target, the first $ref that
// was followed ("" when v is not a reference) and ok=false when the reference
// cannot be resolved (external, dangling or looping).
func (r *resolver) deref(v any) (target any, ref string, ok bool) {
	first := ""
	for range maxRefHops {
		s, isRef := refOf(v)
		if !isRef {
			return v, first, true
		}
		if first == "" {
			first = s
		}
		next, found := r.pointer(s)
		if !found {
			return nil, first, false
		}
		v = next
	}
	return nil, first, false
}

// derefMap is deref for values that must be objects.
func (r *resolver) derefMap(v any) (map[string]any, string) {
	t, ref, ok := r.deref(v)
	if !ok {
		return nil, ref
	}
	m, _ := t.(map[string]any)
	return m, ref
}

// pointer evaluates a local JSON pointer fragment such as
// "#/components/schemas/a~1b". A Reference Object met on the way is
// followed, as the loader does: 3.x operations list
// "#/channels/chat/messages/x" where channels/chat is often itself a $ref.
func (r *resolver) pointer(ref string) (any, bool) {
	hops := maxRefHops
	return r.walk(ref, &hops)
}

// walk is pointer with a budget of references followed, shared with the
// references it follows, so that "#/a" = {$ref: "#/a/b"} ends.
func (r *resolver) walk(ref string, hops *int) (any, bool) {
	if !strings.HasPrefix(ref, "#") {
		return nil, false
	}
	frag := ref[1:]
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	if frag == "" {
		return r.root, true
	}
	if frag[0] != '/' {
		return nil, false
	}
	var cur any = r.root
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		for {
			c, _ := cur.(map[string]any)
			if _, has := c[tok]; has || c == nil {
				break
			}
			next, isRef := c["$ref"].(string)
			if !isRef || *hops <= 0 {
				return nil, false
			}
			*hops--
			t, found := r.walk(next, hops)
			if !found {
				return nil, false
			}
			cur = t
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// refName is the last segment of a reference, used as a readable name
// ("#/components/schemas/user" -> "user").
func refName(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 && i+1 < len(ref) {
		s := ref[i+1:]
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		if u, err := url.PathUnescape(s); err == nil {
			return u
		}
		return s
	}
	return ref
}
