package sockspec

import (
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/internal/fastschema"
	"github.com/sockspec/sockspec/socketio"
)

var printer = message.NewPrinter(language.English)

// checker validates the arguments of one event or ack in one direction.
type checker struct {
	schema    *asyncapi.Schema   // nil: no payload
	fast      *fastschema.Schema // nil: the full validator only
	arity     asyncapi.Arity
	ns, event string
	dir       asyncapi.Direction
	kind      string // "payload" or "ack"
	arityKind string // "arity" or "ack_arity"
	base      string // directory of the main file, for relative schema locations
}

func newChecker(ns, event string, dir asyncapi.Direction, schema *asyncapi.Schema, arity asyncapi.Arity, ack bool, base string) *checker {
	c := &checker{schema: schema, arity: arity, ns: ns, event: event, dir: dir, kind: "payload", arityKind: "arity", base: base}
	if ack {
		c.kind, c.arityKind = "ack", "ack_arity"
	}
	if schema == nil {
		c.arity = asyncapi.Arity{Kind: asyncapi.ArityNone}
	}
	return c
}

// fastOf compiles the fast path of a schema, or returns nil when the schema
// is outside its subset. Results are cached per schema.
func (s *Server) fastOf(sch *asyncapi.Schema) *fastschema.Schema {
	if sch == nil || sch.Compiled == nil {
		return nil
	}
	if f, ok := s.fast[sch]; ok {
		return f
	}
	resolve := func(file, ref string) (any, string, error) {
		v, loc, err := s.doc.ResolveRef(file, ref)
		return v, loc.File, err
	}
	f := fastschema.Compile(sch.Raw, sch.Location.File, resolve, fastschema.Options{Legacy: sch.Dialect == asyncapi.Dialect07 || sch.Dialect == asyncapi.Dialect04})
	s.fast[sch] = f
	return f
}

func (c *checker) verr(kind, ptr, loc, msg string) *ValidationError {
	return &ValidationError{Namespace: c.ns, Event: c.event, Direction: c.dir, Kind: kind, InstancePath: ptr, SchemaLocation: loc, Message: msg}
}

// checkArity checks the number of arguments.
func (c *checker) checkArity(n int) *ValidationError {
	if c.arity.Accepts(n) {
		return nil
	}
	var msg string
	switch {
	case c.arity.Kind == asyncapi.ArityNone:
		msg = "expected no arguments, got " + strconv.Itoa(n)
	case c.arity.Min == c.arity.Max:
		msg = "expected " + plural(c.arity.Min, "argument") + ", got " + strconv.Itoa(n)
	case c.arity.Max < 0:
		msg = "expected at least " + plural(c.arity.Min, "argument") + ", got " + strconv.Itoa(n)
	default:
		msg = "expected " + strconv.Itoa(c.arity.Min) + " to " + plural(c.arity.Max, "argument") + ", got " + strconv.Itoa(n)
	}
	loc := ""
	if c.schema != nil {
		loc = relLocation(c.base, c.schema.Location.File, c.schema.Location.Pointer)
	}
	return c.verr(c.arityKind, "", loc, msg)
}

func plural(n int, w string) string {
	if n == 1 {
		return "1 " + w
	}
	return strconv.Itoa(n) + " " + w + "s"
}

// checkValues validates argument values (JSON trees, as encoding/json
// decodes into any) after checking their number.
func (c *checker) checkValues(values []any) *ValidationError {
	if ve := c.checkArity(len(values)); ve != nil {
		return ve
	}
	if c.schema == nil || c.schema.Compiled == nil {
		return nil
	}
	var v any = values
	prefix := ""
	if c.arity.Kind != asyncapi.ArityTuple {
		v, prefix = values[0], "/0"
	}
	if c.fast != nil && c.fast.Valid(v) {
		return nil
	}
	err := c.schema.Compiled.Validate(v)
	if err == nil {
		return nil
	}
	return c.fromSchemaError(err, prefix, c.kind)
}

func (c *checker) fromSchemaError(err error, prefix, kind string) *ValidationError {
	var se *jsonschema.ValidationError
	if !errors.As(err, &se) {
		return c.verr(kind, prefix, "", err.Error())
	}
	leaf := deepestLeaf(se)
	ptr := prefix + pointer(leaf.InstanceLocation)
	return c.verr(kind, ptr, c.location(leaf), leafMessage(leaf))
}

// location returns "file#/pointer" of the failing keyword, the file relative
// to the main file's directory.
func (c *checker) location(e *jsonschema.ValidationError) string {
	return schemaLocation(c.base, e)
}

func schemaLocation(base string, e *jsonschema.ValidationError) string {
	u := e.SchemaURL
	var kw []string
	if r, ok := e.ErrorKind.(*kind.Reference); ok {
		u = r.URL
	} else {
		kw = e.ErrorKind.KeywordPath()
	}
	file, frag, _ := strings.Cut(u, "#")
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file = file[:i]
	}
	if pu, err := url.Parse(file); err == nil && pu.Scheme == "file" {
		file = pu.Path
	}
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	return relLocation(base, file, frag+pointer(kw))
}

func relLocation(base, file, ptr string) string {
	if base != "" && file != "" {
		if r, err := filepath.Rel(base, file); err == nil && !strings.HasPrefix(r, "..") {
			file = filepath.ToSlash(r)
		} else {
			file = filepath.Base(file)
		}
	}
	return file + "#" + ptr
}

// deepestLeaf picks the most specific failure: the leaf with the longest
// instance location, the first one on ties.
func deepestLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	best := e
	var walk func(*jsonschema.ValidationError)
	walk = func(x *jsonschema.ValidationError) {
		if len(x.Causes) == 0 {
			if best == e || len(x.InstanceLocation) > len(best.InstanceLocation) {
				best = x
			}
			return
		}
		for _, c := range x.Causes {
			walk(c)
		}
	}
	walk(e)
	return best
}

func pointer(toks []string) string {
	if len(toks) == 0 {
		return ""
	}
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

func leafMessage(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		if len(k.Missing) == 1 {
			return "missing required property " + quote(k.Missing[0])
		}
		return "missing required properties " + quoteList(k.Missing)
	case *kind.AdditionalProperties:
		return "unexpected properties " + quoteList(k.Properties)
	case *kind.Type:
		return "expected " + strings.Join(k.Want, " or ") + ", got " + k.Got
	case *kind.FalseSchema:
		return "value not allowed"
	case *kind.MinLength:
		return "must be at least " + plural(k.Want, "character") + " long, got " + strconv.Itoa(k.Got)
	case *kind.MaxLength:
		return "must be at most " + plural(k.Want, "character") + " long, got " + strconv.Itoa(k.Got)
	case *kind.MinItems:
		return "must have at least " + plural(k.Want, "item") + ", got " + strconv.Itoa(k.Got)
	case *kind.MaxItems:
		return "must have at most " + plural(k.Want, "item") + ", got " + strconv.Itoa(k.Got)
	case *kind.Pattern:
		return "does not match the pattern " + quote(k.Want)
	case *kind.Minimum:
		return "must be at least " + k.Want.RatString() + ", got " + k.Got.RatString()
	case *kind.Maximum:
		return "must be at most " + k.Want.RatString() + ", got " + k.Got.RatString()
	case *kind.ExclusiveMinimum:
		return "must be greater than " + k.Want.RatString() + ", got " + k.Got.RatString()
	case *kind.ExclusiveMaximum:
		return "must be less than " + k.Want.RatString() + ", got " + k.Got.RatString()
	}
	return truncate(e.ErrorKind.LocalizedString(printer), 300)
}

// parseArgs decodes every received argument into a JSON tree for the
// validator. Binary attachments become base64 strings, as encoding/json
// presents []byte.
func parseArgs(args socketio.Args, into []any) ([]any, error) {
	n := args.Len()
	for i := range n {
		var v any
		var err error
		if args.Binary() {
			err = args.Unmarshal(i, &v)
		} else {
			err = json.Unmarshal(args.Raw(i), &v)
		}
		if err != nil {
			return nil, err
		}
		into = append(into, v)
	}
	return into, nil
}

// encodeChecked encodes outgoing arguments once and validates them with c.
// It returns what to send: json.RawMessage values are sent as they are,
// other values as the JSON produced here (so nothing is encoded twice),
// except values holding []byte, which stay as they are to travel as binary
// attachments. args is not modified.
func encodeChecked(args []any, c *checker) ([]any, error) {
	var buf [4]json.RawMessage
	raws := buf[:0]
	send := args
	copied := false
	for i, a := range args {
		raw, ok := a.(json.RawMessage)
		if !ok {
			b, err := json.Marshal(a)
			if err != nil {
				return nil, err
			}
			raw = b
			if !hasBinary(a, 0) {
				if !copied {
					send = make([]any, len(args)) // args is the caller's: never written
					copy(send, args)
					copied = true
				}
				send[i] = raw
			}
		}
		raws = append(raws, raw)
	}
	if ve := c.checkRaw(raws); ve != nil {
		return nil, ve
	}
	return send, nil
}

// checkRaw validates arguments given as JSON texts: by the byte-level fast
// path when it answers, else by decoding them for the full validator.
func (c *checker) checkRaw(raws []json.RawMessage) *ValidationError {
	if ve := c.checkArity(len(raws)); ve != nil {
		return ve
	}
	if c.schema == nil || c.schema.Compiled == nil {
		return nil
	}
	if c.fast != nil {
		if c.arity.Kind != asyncapi.ArityTuple {
			if c.fast.ValidJSON(raws[0]) {
				return nil
			}
		} else {
			var buf [512]byte
			b := append(buf[:0], '[')
			for i, r := range raws {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, r...)
			}
			if c.fast.ValidJSON(append(b, ']')) {
				return nil
			}
		}
	}
	trees := make([]any, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &trees[i]); err != nil {
			return c.verr(c.kind, "/"+strconv.Itoa(i), "", "not JSON: "+err.Error())
		}
	}
	return c.checkValues(trees)
}

// hasBinary reports whether v is, or holds in map[string]any / []any values,
// a []byte that the Socket.IO encoder sends as a binary attachment.
func hasBinary(v any, depth int) bool {
	if depth > 32 {
		return false
	}
	switch x := v.(type) {
	case []byte:
		return true
	case []any:
		for _, e := range x {
			if hasBinary(e, depth+1) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasBinary(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// quoteList quotes names for a message, at most 5 of them: the list comes
// from the client's input and must not make the answer grow with it.
func quoteList(names []string) string {
	const max = 5
	n := min(len(names), max)
	q := make([]string, n)
	for i := range n {
		q[i] = quote(truncate(names[i], 64))
	}
	out := strings.Join(q, ", ")
	if len(names) > max {
		out += " and " + strconv.Itoa(len(names)-max) + " more"
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
