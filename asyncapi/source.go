package asyncapi

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Position is a 1-based line and column in a source file. The zero value means unknown.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// source is one parsed file: its raw JSON-compatible tree, the position of every
// value by JSON pointer, and the key order of every object.
type source struct {
	name string     // path or URL as given (used in findings)
	url  string     // absolute file:// URL (jsonschema resource id)
	root any        // map[string]any, []any, string, float64, int64, bool, nil
	node *yaml.Node // document node, kept for order-preserving conversion
	pos  map[string]Position
	keys map[string][]string // object pointer -> keys in source order
	// loadErr is set for a referenced file that could not be read
	loadErr error
}

// limits applied while converting YAML nodes.
type treeLimits struct {
	maxDepth int
	maxNodes int
}

var errTooDeep = errors.New("document nesting is too deep")

// parseSource parses YAML or JSON (JSON is read as YAML 1.2 flow syntax) into a source.
func parseSource(name string, data []byte, lim treeLimits) (*source, []Finding) {
	s := &source{name: name, pos: map[string]Position{}, keys: map[string][]string{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return s, []Finding{{Severity: SeverityError, Code: "empty-document", Message: "the document is empty", File: name, Pointer: ""}}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := safeDecode(dec, &doc); err != nil {
		line, col := yamlErrorPos(err, data)
		return s, []Finding{{Severity: SeverityError, Code: "syntax", Message: "cannot parse the document: " + yamlErrorMsg(err),
			File: name, Position: Position{line, col}}}
	}
	s.node = &doc
	c := converter{src: s, lim: lim}
	root, err := c.convert(&doc, "", 0)
	if err != nil {
		return s, append(c.findings, Finding{Severity: SeverityError, Code: "limit", Message: err.Error(), File: name, Pointer: c.errPtr, Position: c.errPos})
	}
	s.root = root
	return s, c.findings
}

// safeDecode guards the YAML library against panics on hostile input.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: internal error: %v", r)
		}
	}()
	return dec.Decode(n)
}

func yamlErrorMsg(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	if i := strings.Index(msg, "line "); i == 0 {
		if j := strings.Index(msg, ": "); j > 0 {
			msg = msg[j+2:]
		}
	}
	return msg
}

// parserProblem matches libyaml parser (not scanner) problems, whose line
// yaml.v3 reports one lower than where the problem is.
var parserProblem = regexp.MustCompile(`did not find expected (key|node content|'-' indicator|',' or|<document start>)`)

// yamlErrorPos extracts the line of a yaml.v3 error and points at the first
// non-blank character of that line.
func yamlErrorPos(err error, data []byte) (int, int) {
	msg := err.Error()
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0, 0
	}
	rest := msg[i+5:]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(rest[:j])
	if n == 0 {
		return 0, 0
	}
	if parserProblem.MatchString(msg) {
		n++
	}
	lines := bytes.Split(data, []byte("\n"))
	if n > len(lines) {
		return n, 1
	}
	l := lines[n-1]
	col := 1
	for col <= len(l) && (l[col-1] == ' ' || l[col-1] == '\t') {
		col++
	}
	return n, col
}

type converter struct {
	src      *source
	lim      treeLimits
	nodes    int
	findings []Finding
	errPtr   string
	errPos   Position
	active   map[*yaml.Node]bool // aliases being expanded (cycle guard)
	aliased  int                 // values produced while expanding aliases
}

// maxAliasExpansion bounds the values YAML aliases may produce (billion laughs).
const maxAliasExpansion = 100_000

func (c *converter) fail(ptr string, n *yaml.Node, err error) error {
	if c.errPtr == "" {
		c.errPtr = ptr
		c.errPos = Position{n.Line, n.Column}
	}
	return err
}

func (c *converter) convert(n *yaml.Node, ptr string, depth int) (any, error) {
	if depth > c.lim.maxDepth {
		return nil, c.fail(ptr, n, fmt.Errorf("%w (more than %d levels)", errTooDeep, c.lim.maxDepth))
	}
	c.nodes++
	if len(c.active) > 0 {
		c.aliased++
		if c.aliased > maxAliasExpansion {
			return nil, c.fail(ptr, n, fmt.Errorf("YAML aliases expand to too many values (more than %d)", maxAliasExpansion))
		}
	}
	if c.nodes > c.lim.maxNodes {
		return nil, c.fail(ptr, n, fmt.Errorf("document has too many values (more than %d, counting YAML alias expansion)", c.lim.maxNodes))
	}
	if n.Kind != yaml.DocumentNode && n.Kind != yaml.AliasNode {
		if _, ok := c.src.pos[ptr]; !ok {
			c.src.pos[ptr] = Position{n.Line, n.Column}
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], ptr, depth)
	case yaml.AliasNode:
		if c.active == nil {
			c.active = map[*yaml.Node]bool{}
		}
		if c.active[n.Alias] {
			return nil, c.fail(ptr, n, errors.New("YAML alias refers to itself"))
		}
		c.active[n.Alias] = true
		defer delete(c.active, n.Alias)
		if _, ok := c.src.pos[ptr]; !ok {
			c.src.pos[ptr] = Position{n.Line, n.Column}
		}
		return c.convert(n.Alias, ptr, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		keys := make([]string, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := n.Content[i], n.Content[i+1]
			if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
				// YAML merge key: copy keys of the merged mapping(s) not already present.
				merged, err := c.convert(vn, ptr, depth+1)
				if err != nil {
					return nil, err
				}
				var list []any
				switch mv := merged.(type) {
				case map[string]any:
					list = []any{mv}
				case []any:
					list = mv
				}
				for _, item := range list {
					if mm, ok := item.(map[string]any); ok {
						for k, v := range mm {
							if _, dup := m[k]; !dup {
								m[k] = v
								keys = append(keys, k)
							}
						}
					}
				}
				continue
			}
			if kn.Kind == yaml.AliasNode {
				kn = kn.Alias
			}
			if kn.Kind != yaml.ScalarNode {
				return nil, c.fail(ptr, kn, errors.New("object keys must be strings"))
			}
			key := kn.Value
			kptr := ptr + "/" + escapePtr(key)
			if _, dup := m[key]; dup {
				c.findings = append(c.findings, Finding{Severity: SeverityError, Code: "duplicate-key",
					Message: fmt.Sprintf("key %q appears twice in the same object", key), File: c.src.name, Pointer: kptr,
					Position: Position{kn.Line, kn.Column}})
				continue
			}
			if vn.Kind == yaml.MappingNode || vn.Kind == yaml.SequenceNode {
				// a nested object or array is reported at its key
				c.src.pos[kptr] = Position{kn.Line, kn.Column}
			}
			v, err := c.convert(vn, kptr, depth+1)
			if err != nil {
				return nil, err
			}
			m[key] = v
			keys = append(keys, key)
		}
		c.src.keys[ptr] = keys
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			v, err := c.convert(item, ptr+"/"+strconv.Itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.ScalarNode:
		return c.scalar(n, ptr)
	}
	return nil, nil
}

func (c *converter) scalar(n *yaml.Node, ptr string) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return n.Value, nil
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, nil
		}
		return n.Value, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return n.Value, nil
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			c.findings = append(c.findings, Finding{Severity: SeverityError, Code: "invalid-number",
				Message: fmt.Sprintf("%s is not a JSON number", n.Value), File: c.src.name, Pointer: ptr, Position: Position{n.Line, n.Column}})
			return n.Value, nil
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 && !strings.ContainsAny(n.Value, ".eE") {
			return int64(f), nil
		}
		return f, nil
	default: // !!str, !!timestamp, !!binary and custom tags keep their text
		return n.Value, nil
	}
}

func escapePtr(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePtr(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// lookupPtr returns the value at a JSON pointer ("" or "/a/b") inside v.
func lookupPtr(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if ptr[0] != '/' {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapePtr(tok)
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[tok]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) || (len(tok) > 1 && tok[0] == '0') {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// position returns the position of ptr, or of its nearest known ancestor.
func (s *source) position(ptr string) Position {
	for {
		if p, ok := s.pos[ptr]; ok {
			return p
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return Position{}
		}
		ptr = ptr[:i]
	}
}
