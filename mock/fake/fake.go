package fake

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Resolver returns the raw schema a "$ref" points to. ref is the
// reference exactly as written ("#/components/schemas/User",
// "common.yaml#/User"); base is the location of the schema it is written
// in: PrepareOptions.Location plus the path inside the raw schema, or,
// inside a schema the Resolver returned, the location it returned for it
// plus the path. It returns the target and the target's location, which
// names it in errors and serves as the base of references inside it, so
// a Resolver can follow references across files (the part of a location
// before "#" can name the file). An empty location means ref.
type Resolver func(base, ref string) (target any, location string, err error)

// Config configures a [Generator]. The zero value works: seed 0, depth 5,
// 20 attempts, local references only.
type Config struct {
	// Seed makes the output reproducible: two generators with the same
	// seed that are asked for the same schemas in the same order return
	// the same values. Zero is a valid seed like any other; callers that
	// want a random run pick a random seed themselves.
	Seed uint64
	// MaxDepth bounds the nesting of generated values. Past it, optional
	// properties are omitted, arrays get their minimum length and
	// anyOf/oneOf pick their least nested branch, so recursive schemas
	// terminate. Required nesting is still honoured. Zero means 5.
	MaxDepth int
	// MaxAttempts bounds how many complete values are generated and
	// validated before Generate gives up. Zero means 20.
	MaxAttempts int
	// UseExamples makes a schema's own "examples" (and OpenAPI "example",
	// and "default") come out about half the time, when they are valid.
	// False means values are always generated.
	UseExamples bool
	// Resolver resolves "$ref"s. It is asked first; "#..." references it
	// cannot resolve fall back to the raw schema given to Prepare (so
	// "$defs" work without a Resolver). Nil means local references only.
	Resolver Resolver
}

// Generator produces fake values for prepared schemas; create one with
// [New]. It is safe for concurrent use; concurrent calls are serialised,
// so a run is reproducible only if the order of calls is.
type Generator struct {
	cfg   Config
	mu    sync.Mutex
	rng   *rand.Rand
	faker *gofakeit.Faker
}

// New returns a Generator for cfg.
func New(cfg Config) *Generator {
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = 5
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 20
	}
	rng, faker := newRand(cfg.Seed)
	return &Generator{cfg: cfg, rng: rng, faker: faker}
}

// newRand derives both random streams from one seeded PCG source, so
// nothing depends on global random state.
func newRand(seed uint64) (*rand.Rand, *gofakeit.Faker) {
	src := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	return rand.New(src), gofakeit.NewFaker(src, false)
}

// PrepareOptions are the per-schema inputs of [Generator.Prepare].
type PrepareOptions struct {
	// Validator is the compiled form of the schema, used to validate
	// every generated value. Nil means Prepare compiles the raw schema
	// itself (draft 2020-12, or draft-07 when the schema needs it; formats
	// asserted), with references resolved as for generation.
	Validator *jsonschema.Schema
	// Location is the JSON pointer of the raw schema inside its document,
	// in URI-fragment form ("#/components/messages/chat/payload"). Errors
	// report locations under it, and a Resolver gets it as the base of the
	// references in the schema. Empty means "#".
	Location string
	// Name names the root value, as a property name does its value: with
	// no format or pattern, a name such as "message" or "add user" (an
	// event name) picks a realistic string provider. Optional.
	Name string
}

// Schema is a schema checked and prepared for generation. It is
// immutable and safe for concurrent use.
type Schema struct {
	root      *node
	validator *jsonschema.Schema
	name      string
}

// Validator returns the compiled schema generated values are validated
// against.
func (s *Schema) Validator() *jsonschema.Schema { return s.validator }

// SchemaError reports a schema the generator cannot satisfy, with the
// location of the offending (sub)schema.
type SchemaError struct {
	// Location is the JSON pointer of the offending schema in URI-fragment
	// form, e.g. "#/properties/age": under PrepareOptions.Location, or,
	// inside a "$ref" target, under the location the Resolver returned for
	// it ("#/..." references resolved locally stay under
	// PrepareOptions.Location).
	Location string
	// Keyword is the keyword at fault, when one is ("pattern", "enum"…).
	Keyword string
	// Reason says what is wrong.
	Reason string
	// Err is the underlying error, if any (a validation or compile error).
	Err error

	fatal bool // retrying cannot help
}

// Error implements error.
func (e *SchemaError) Error() string {
	var b strings.Builder
	b.WriteString("fake: schema ")
	b.WriteString(e.Location)
	if e.Keyword != "" {
		b.WriteByte('/')
		b.WriteString(escapeToken(e.Keyword))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *SchemaError) Unwrap() error { return e.Err }

// trialSamples is how many values Prepare generates to prove a schema
// satisfiable (with a fixed private seed, leaving the main stream alone).
const trialSamples = 8

// Prepare parses raw (a schema tree as decoded from JSON or YAML), checks
// it and returns it ready for [Generator.Generate]. Every problem found
// is returned at once, joined, each a [*SchemaError] naming its location:
// unresolvable references, invalid or ungenerable patterns, contradictory
// bounds (minimum > maximum, minLength > maxLength, minItems > maxItems,
// …), enum or const values that fail the rest of the schema, required
// properties that are forbidden, recursion without a base case, and
// anything else that makes sample generation fail.
func (g *Generator) Prepare(raw any, opts PrepareOptions) (*Schema, error) {
	p := newParser(raw, opts.Location, g.cfg.Resolver)
	root := p.parse(raw, p.base)
	// Contradictions are errors wherever generation may use them (an
	// optional property or a oneOf branch included: the document has a
	// bug there); deliberately unsatisfiable schemas ("false", "not": {})
	// only when a value cannot avoid them.
	dead, bugs := staticCheck(p.all)
	computeHeights(p.all, dead)
	errs := append(p.errs, reachableBugs(root, bugs)...)
	if root.height >= infHeight {
		errs = append(errs, deadReasons(root, dead)...)
	}
	v := opts.Validator
	if v == nil && len(errs) == 0 {
		var err error
		v, err = p.compile()
		if err != nil {
			errs = append(errs, &SchemaError{Location: p.base, Reason: "schema does not compile", Err: err})
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	s := &Schema{root: root, validator: v, name: opts.Name}
	rng, faker := newRand(0x5eed)
	for range trialSamples {
		if _, err := g.generate(s, rng, faker); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func joinErrors(errs []*SchemaError) error {
	slices.SortStableFunc(errs, func(a, b *SchemaError) int {
		return cmp.Or(cmp.Compare(a.Location, b.Location), cmp.Compare(a.Keyword, b.Keyword))
	})
	out := make([]error, 0, len(errs))
	last := ""
	for _, e := range errs {
		if s := e.Error(); s != last {
			out = append(out, e)
			last = s
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// Check reports whether raw can be generated for, like Prepare.
func (g *Generator) Check(raw any, opts PrepareOptions) error {
	_, err := g.Prepare(raw, opts)
	return err
}

// Generate returns a new value valid against s: a tree of nil, bool,
// int64 (integers), float64, string, []any and map[string]any, freshly
// allocated (const and enum values are deep-copied). Each value has been
// validated against s's Validator. A [*SchemaError] is returned when no
// valid value was found within Config.MaxAttempts.
func (g *Generator) Generate(s *Schema) (any, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.generate(s, g.rng, g.faker)
}

// GenerateRaw prepares raw and generates one value from it; see Prepare
// and Generate. Prefer Prepare once and Generate many times.
func (g *Generator) GenerateRaw(raw any, validator *jsonschema.Schema) (any, error) {
	s, err := g.Prepare(raw, PrepareOptions{Validator: validator})
	if err != nil {
		return nil, err
	}
	return g.Generate(s)
}

func (g *Generator) generate(s *Schema, rng *rand.Rand, faker *gofakeit.Faker) (any, error) {
	var last error
	st := &state{rng: rng, faker: faker, maxDepth: g.cfg.MaxDepth, examples: g.cfg.UseExamples} // one step budget for all attempts
	for range g.cfg.MaxAttempts {
		st.hint = s.name
		v, err := st.gen([]*node{s.root}, 0)
		if err != nil {
			last = err
			var se *SchemaError
			if errors.As(err, &se) && se.fatal {
				break
			}
			continue
		}
		if err := s.validator.Validate(v); err != nil {
			last = &SchemaError{Location: s.root.loc, Reason: "generated value failed validation", Err: err}
			continue
		}
		return v, nil
	}
	var se *SchemaError
	if errors.As(last, &se) {
		return nil, se
	}
	return nil, &SchemaError{Location: s.root.loc, Reason: fmt.Sprintf("no valid value after %d attempts", g.cfg.MaxAttempts), Err: last}
}
