package mock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/mock/fake"
)

// SchemaError reports a schema of the document that the mock would have to
// generate values for but cannot satisfy (contradictory constraints, an
// unsupported pattern, recursion without a base case...). [New] returns one
// per problem, joined, before serving anything.
type SchemaError struct {
	// Namespace and Event name the event whose schema it is.
	Namespace, Event string
	// Part is "payload" (a server→client event's payload) or "ack" (the ack
	// of a client→server event).
	Part string
	// Location is the offending (sub)schema, or its keyword when one is at
	// fault: file, JSON pointer and line:column.
	Location asyncapi.Location
	// Keyword is the keyword at fault, when one is ("pattern", "minimum"...).
	Keyword string
	// Reason says what is wrong.
	Reason string
	// Err is the generator's error (a *fake.SchemaError).
	Err error
}

// Error returns "file:line:col: namespace "/" event "e" payload: reason
// (#/pointer)".
func (e *SchemaError) Error() string {
	var b strings.Builder
	b.WriteString(e.Location.File)
	if e.Location.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Location.Line, e.Location.Column)
	}
	fmt.Fprintf(&b, ": namespace %q event %q %s: ", e.Namespace, e.Event, e.Part)
	if e.Keyword != "" {
		b.WriteString(e.Keyword)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	b.WriteString(" (#")
	b.WriteString(e.Location.Pointer)
	b.WriteByte(')')
	return b.String()
}

// Unwrap returns Err.
func (e *SchemaError) Unwrap() error { return e.Err }

// generators prepares the fake-data streams of one document.
type generators struct {
	doc      *asyncapi.Document
	seed     uint64
	maxDepth int
	resolver fake.Resolver
	prep     *fake.Generator
}

func newGenerators(doc *asyncapi.Document, seed uint64, maxDepth int) *generators {
	g := &generators{doc: doc, seed: seed, maxDepth: maxDepth}
	g.resolver = func(base, ref string) (any, string, error) {
		file, _, _ := strings.Cut(base, "#")
		v, loc, err := doc.ResolveRef(file, ref)
		if err != nil {
			return nil, "", err
		}
		return v, loc.File + "#" + loc.Pointer, nil
	}
	g.prep = fake.New(fake.Config{MaxDepth: maxDepth, Resolver: g.resolver})
	return g
}

// stream is one reproducible sequence of fake values for one schema: its own
// generator, seeded from the run's seed and the stream's name, so the values
// of one event do not depend on how other events interleave with it.
type stream struct {
	schema *fake.Schema
	gen    *fake.Generator
	arity  asyncapi.Arity
}

// stream prepares the stream of an event's payload or ack, or returns the
// reasons it cannot.
func (g *generators) stream(ns string, ev *asyncapi.Event, part string, s *asyncapi.Schema, arity asyncapi.Arity) (*stream, []error) {
	fs, err := g.prep.Prepare(withArity(s.Raw, arity), fake.PrepareOptions{Validator: s.Compiled, Location: s.Location.File + "#" + s.Location.Pointer})
	if err != nil {
		return nil, g.explain(ns, ev.Name, part, s, err)
	}
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], g.seed)
	h.Write(b[:])
	h.Write([]byte(ns))
	h.Write([]byte{0})
	h.Write([]byte(ev.Name))
	h.Write([]byte{0})
	h.Write([]byte(part))
	return &stream{
		schema: fs,
		gen:    fake.New(fake.Config{Seed: h.Sum64(), MaxDepth: g.maxDepth, Resolver: g.resolver}),
		arity:  arity,
	}, nil
}

// withArity returns raw, or for a tuple a shallow copy of it whose
// minItems is at least the arity's minimum: JSON Schema lets a prefixItems
// array be shorter than its prefix, the arity rule does not.
func withArity(raw any, arity asyncapi.Arity) any {
	m, ok := raw.(map[string]any)
	if !ok || arity.Kind != asyncapi.ArityTuple {
		return raw
	}
	if n, ok := toInt(m["minItems"]); ok && n >= arity.Min {
		return raw
	}
	c := make(map[string]any, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	c["minItems"] = int64(arity.Min)
	return c
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case uint64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}

// explain turns the generator's errors into located *SchemaError values.
func (g *generators) explain(ns, event, part string, s *asyncapi.Schema, err error) []error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		se := &SchemaError{Namespace: ns, Event: event, Part: part, Location: s.Location, Reason: e.Error(), Err: e}
		var fe *fake.SchemaError
		if errors.As(e, &fe) {
			file, ptr, _ := strings.Cut(fe.Location, "#")
			if file == "" {
				file = s.Location.File
			}
			if fe.Keyword != "" {
				ptr += "/" + strings.ReplaceAll(strings.ReplaceAll(fe.Keyword, "~", "~0"), "/", "~1")
			}
			se.Location = asyncapi.Location{File: file, Pointer: ptr, Position: g.doc.Position(file, ptr)}
			se.Keyword, se.Reason = fe.Keyword, fe.Reason
			if fe.Err != nil {
				se.Reason += ": " + fe.Err.Error()
			}
		}
		out = append(out, se)
	}
	return out
}

// next generates the arguments of one event or ack: none, one, or one per
// tuple item, as the arity says. Every value has been validated against the
// document's compiled schema by the generator.
func (s *stream) next() ([]any, error) {
	if s == nil {
		return nil, nil
	}
	v, err := s.gen.Generate(s.schema)
	if err != nil {
		return nil, err
	}
	switch s.arity.Kind {
	case asyncapi.ArityNone:
		return nil, nil
	case asyncapi.ArityTuple:
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("mock: tuple schema generated %T, not an array", v)
		}
		return items, nil
	}
	return []any{v}, nil
}
