// Package fake generates fake JSON values from JSON Schema, for the mock
// server: every value it returns has been validated against its schema.
//
// Schemas are raw trees as decoded from JSON or YAML (map[string]any,
// []any, bool, numbers, strings). Keywords of draft 2020-12 and draft-07
// are understood, as AsyncAPI payloads use them: type (and type arrays,
// and OpenAPI's "nullable: true"), const, enum, properties, required,
// additionalProperties, patternProperties, propertyNames, min/maxProperties,
// dependentRequired/dependencies, items, prefixItems (and draft-07 tuple
// items with additionalItems), minItems, maxItems, uniqueItems, contains
// with min/maxContains, minLength, maxLength, pattern, minimum, maximum,
// exclusiveMinimum/Maximum (number or draft-04 boolean form), multipleOf,
// allOf, anyOf, oneOf, not, if/then/else, $ref (local pointers, anchors,
// $defs/definitions, and anything a [Resolver] answers), boolean schemas.
//
// # Usage
//
//	g := fake.New(fake.Config{Seed: 42})
//	s, err := g.Prepare(raw, fake.PrepareOptions{Location: "#/components/messages/chat/payload"})
//	if err != nil { /* refuse to start: err names the offending schema */ }
//	v, err := g.Generate(s)
//
// With the asyncapi package, a schema of a loaded document plugs in as
//
//	resolver := func(base, ref string) (any, string, error) {
//		file, _, _ := strings.Cut(base, "#")
//		v, loc, err := doc.ResolveRef(file, ref)
//		return v, loc.File + "#" + loc.Pointer, err
//	}
//	g := fake.New(fake.Config{Seed: seed, Resolver: resolver})
//	s, err := g.Prepare(sch.Raw, fake.PrepareOptions{
//		Validator: sch.Compiled,
//		Location:  sch.Location.File + "#" + sch.Location.Pointer,
//		Name:      event.Name,
//	})
//
// # Checking up front
//
// Prepare reports unsatisfiable schemas with the JSON pointer of the
// offending subschema ([SchemaError]): contradictory bounds, enum values
// that fail the rest of the schema, required properties that
// additionalProperties forbids, patterns outside the supported subset,
// unresolvable references, recursion without a base case. Contradictions
// are reported wherever generation could use the schema (an optional
// property, a oneOf branch: they are bugs in the document), but not under
// "not" or "if". Deliberately unsatisfiable schemas ("false", "not": {})
// are only reported when no value can avoid them; otherwise the generator
// steers clear of them. Prepare also generates a few samples with a
// private seed, which catches what static checks cannot (an ambiguous
// oneOf, say).
//
// # Patterns
//
// Strings for "pattern" are generated from the regular expression: literals,
// character classes and ranges, ., anchors, ?, *, +, {m,n}, alternation and
// groups, case folding. Word boundaries (\b, \B) are not supported and are
// reported. Unbounded repetitions are kept short.
//
// # Formats
//
// "format" drives realism through gofakeit: the standard formats
// (date-time, date, time, duration, email, idn-email, hostname,
// idn-hostname, ipv4, ipv6, uuid, uri, uri-reference, iri, iri-reference,
// uri-template, json-pointer, relative-json-pointer, regex) and the
// OpenAPI ones (byte, binary, password, int32) always give well-formed
// values. Python Faker provider names, as Asynction users write them
// (first_name, last_name, name, user_name, email, address, street_address,
// city, country, phone_number, company, job, word, sentence, paragraph,
// text, color_name, url, iso8601, date_time, uuid4, …), are matched
// ignoring case, "_" and "-", see [KnownFormat]. Unknown formats give
// plain strings. Without a format or pattern, a property's name picks a
// provider when it is specific enough ("username", "email", "city",
// "message", "createdAt", or the last word: "senderEmail"); the root value
// can be named with PrepareOptions.Name (an event name such as "new
// message"). Otherwise strings are a few random words. Numbers named
// like "age", "latitude", "month" or "price" stay in a realistic range
// when the schema's bounds allow it.
//
// With Config.UseExamples, a schema's own valid "examples" ("example",
// "default") are returned about half the time.
//
// # References
//
// "$ref" is resolved by the [Resolver] in Config (the asyncapi package's
// document resolution plugs in there; it is told where each reference is
// written, so references across files work), falling back to local
// references within the raw schema: JSON pointers ("#/$defs/x",
// "#/definitions/x"), "$anchor"s and draft-07 "$id": "#name".
//
// # Determinism
//
// A [Generator] draws from one PCG source seeded by Config.Seed (no global
// random state), so the same seed and the same sequence of calls give the
// same values. Recursion is bounded by Config.MaxDepth: past it optional
// properties are left out, arrays are as short as allowed and anyOf/oneOf
// pick their least nested branch.
//
// # Validation
//
// oneOf, not and if/then/else are honoured by generating for one branch
// and checking the result against the whole schema, retrying a bounded
// number of times. Every value is finally validated with
// github.com/santhosh-tekuri/jsonschema/v6, with the caller's compiled
// schema or one Prepare compiles itself.
package fake
