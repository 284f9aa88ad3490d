package fake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/sockspec/sockspec/mock/fake"
	"go.yaml.in/yaml/v3"
)

func loadJSON(t testing.TB, path string) any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func parseJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

// openAPINullable rewrites "nullable: true" into a null type, the way the
// generator documents it, so that the independent validator agrees.
func openAPINullable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = openAPINullable(e)
		}
		if nb, _ := v["nullable"].(bool); nb {
			if t, ok := v["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = openAPINullable(e)
		}
		return out
	}
	return v
}

// compileIndependent compiles a schema with format assertion on, without
// going through the package under test.
func compileIndependent(t testing.TB, raw any) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///test/schema.json", openAPINullable(raw)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///test/schema.json")
	if err != nil {
		t.Fatalf("independent compile: %v", err)
	}
	return s
}

func corpus(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("corpus has %d schemas, want at least 40", len(files))
	}
	return files
}

// roundTrip encodes v as JSON and decodes it the way a peer would, so the
// value is validated exactly as it would go on the wire.
func roundTrip(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	w, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return w
}

func TestCorpusAllValid(t *testing.T) {
	samples := 1000
	if testing.Short() {
		samples = 100
	}
	for _, file := range corpus(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			raw := loadJSON(t, file)
			indep := compileIndependent(t, raw)
			g := fake.New(fake.Config{Seed: 7})
			s, err := g.Prepare(raw, fake.PrepareOptions{})
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			distinct := map[string]bool{}
			for i := range samples {
				v, err := g.Generate(s)
				if err != nil {
					t.Fatalf("sample %d: %v", i, err)
				}
				if err := indep.Validate(v); err != nil {
					t.Fatalf("sample %d invalid: %#v: %v", i, v, err)
				}
				w := roundTrip(t, v)
				if err := indep.Validate(w); err != nil {
					t.Fatalf("sample %d invalid after JSON round trip: %#v: %v", i, w, err)
				}
				b, _ := json.Marshal(v)
				distinct[string(b)] = true
			}
			if i := strings.Index(filepath.Base(file), "const"); i < 0 && len(distinct) < 2 && !strings.Contains(file, "true_schema") {
				t.Errorf("only %d distinct values in %d samples", len(distinct), samples)
			}
		})
	}
}

func sequence(t testing.TB, seed uint64, files []string, n int) []string {
	t.Helper()
	g := fake.New(fake.Config{Seed: seed})
	var out []string
	for _, f := range files {
		s, err := g.Prepare(loadJSON(t, f), fake.PrepareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for range n {
			v, err := g.Generate(s)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	return out
}

func TestSameSeedSameOutput(t *testing.T) {
	files := corpus(t)
	a := sequence(t, 42, files, 20)
	b := sequence(t, 42, files, 20)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("value %d differs with the same seed:\n%s\n%s", i, a[i], b[i])
		}
	}
	for _, seed := range []uint64{0, 1, 1 << 63} {
		c := sequence(t, seed, files, 20)
		same := 0
		for i := range a {
			if a[i] == c[i] {
				same++
			}
		}
		if same > len(a)/2 {
			t.Errorf("seed %d: %d of %d values equal to seed 42's", seed, same, len(a))
		}
	}
}

func TestPrepareErrors(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		loc    string // Location of the (first) SchemaError
		want   string // substring of the error text
	}{
		{"min>max", `{"type":"integer","minimum":10,"maximum":5}`, "#", "no integer satisfies minimum 10, maximum 5"},
		{"exclusive empty", `{"type":"number","exclusiveMinimum":1,"maximum":1}`, "#", "no number satisfies"},
		{"nested min>max", `{"type":"object","properties":{"age":{"type":"integer","minimum":200,"maximum":100}}}`, "#/properties/age", "minimum 200, maximum 100"},
		{"no multiple in range", `{"type":"integer","multipleOf":10,"minimum":1,"maximum":9}`, "#", "multipleOf 10"},
		{"minLength>maxLength", `{"type":"string","minLength":5,"maxLength":2}`, "#", "minLength 5 > maxLength 2"},
		{"minItems>maxItems", `{"type":"array","minItems":3,"maxItems":1}`, "#", "minItems 3 > maxItems 1"},
		{"tuple too short", `{"type":"array","prefixItems":[{"type":"string"}],"items":false,"minItems":2}`, "#", "minItems 2 > maxItems 1"},
		{"minProperties>maxProperties", `{"type":"object","minProperties":4,"maxProperties":2}`, "#", "minProperties 4 > maxProperties 2"},
		{"required > maxProperties", `{"type":"object","required":["a","b","c"],"maxProperties":2}`, "#", "minProperties 3 > maxProperties 2"},
		{"required forbidden", `{"type":"object","properties":{"a":{}},"required":["b"],"additionalProperties":false}`, "#", `required property "b" is forbidden`},
		{"required false", `{"type":"object","properties":{"a":false},"required":["a"]}`, "#", `required property "a" is forbidden by #/properties/a`},
		{"enum all failing", `{"type":"string","enum":[1,2,3]}`, "#", "no enum value satisfies"},
		{"const failing", `{"properties":{"x":{"type":"integer","const":"a"}}}`, "#/properties/x", "const value does not satisfy"},
		{"unsupported pattern", `{"type":"object","properties":{"w":{"type":"string","pattern":"\\bword\\b"}}}`, "#/properties/w", `pattern: pattern "\\bword\\b": unsupported construct \b`},
		{"invalid pattern", `{"type":"string","pattern":"(?=x)"}`, "#", "invalid or unsupported regular expression"},
		{"type conflict allOf", `{"allOf":[{"type":"string"},{"type":"integer"}]}`, "#", "no JSON type satisfies"},
		{"false root", `false`, "#", "schema is false"},
		{"unresolvable ref", `{"properties":{"a":{"$ref":"#/$defs/missing"}}}`, "#/properties/a", `cannot resolve "#/$defs/missing"`},
		{"external ref without resolver", `{"$ref":"other.json#/x"}`, "#", "without a Resolver"},
		{"infinite recursion", `{"$defs":{"n":{"type":"object","properties":{"c":{"$ref":"#/$defs/n"}},"required":["c"]}},"$ref":"#/$defs/n"}`, "#", "no finite value"},
		{"oneOf ambiguous", `{"oneOf":[{"type":"integer"},{"type":"integer"}]}`, "#", "oneOf: generated values keep matching several branches (#/oneOf/0, #/oneOf/1)"},
		{"nested oneOf ambiguous", `{"type":"object","properties":{"a":{"oneOf":[{"type":"string"},{"type":"string","minLength":1}]}},"required":["a"]}`, "#/properties/a", "oneOf"},
		{"not matched", `{"type":"integer","minimum":1,"maximum":3,"not":{"minimum":0}}`, "#", "not: generated values keep matching"},
		{"then impossible", `{"type":"integer","if":{"minimum":0},"then":{"type":"string"},"else":{"type":"string"}}`, "#", ""},
		{"unevaluated required", `{"type":"object","required":["x"],"unevaluatedProperties":false}`, "#", `required property "x" is forbidden`},
		{"bad minLength", `{"type":"string","minLength":-1}`, "#", "must be a non-negative integer"},
		{"unknown type", `{"type":"text"}`, "#", `unknown type "text"`},
		{"unique beyond enum", `{"type":"array","items":{"enum":["a","b","a"]},"minItems":3,"uniqueItems":true}`, "#", "allows only 2 values"},
		{"unique booleans", `{"type":"array","items":{"type":"boolean"},"minItems":3,"uniqueItems":true}`, "#", "allows only 2 values"},
		{"huge minLength", `{"type":"string","minLength":1000000000}`, "#", "more than the generator's limit"},
		{"self reference", `{"$ref":"#"}`, "#", "no finite value"},
		{"draft-07 tuple too short", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","items":[{"type":"string"}],"additionalItems":false,"minItems":2}`, "#", "minItems 2 > maxItems 1"},
		{"pattern vs maxLength", `{"type":"string","pattern":"^[a-z]{10}$","maxLength":5}`, "#", "cannot generate a string matching"},
		{"oneOf none satisfiable", `{"type":"string","oneOf":[{"type":"integer"},{"type":"boolean"}]}`, "#", ""},
		{"not everything", `{"not":{}}`, "#", "not: \"not\" of a schema that accepts everything"},
		{"not true", `{"type":"object","properties":{"p":{"not":true}},"required":["p"]}`, "#/properties/p", "rejects every value"},
		{"minContains>maxContains", `{"type":"array","contains":{"type":"integer"},"minContains":3,"maxContains":1}`, "#", "minContains 3 > maxContains 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := fake.New(fake.Config{})
			_, err := g.Prepare(parseJSON(t, tc.schema), fake.PrepareOptions{})
			if err == nil {
				t.Fatal("Prepare succeeded, want an error")
			}
			var se *fake.SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SchemaError", err)
			}
			if se.Location != tc.loc {
				t.Errorf("Location = %q, want %q (err: %v)", se.Location, tc.loc, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestPrepareErrorsUnderLocation(t *testing.T) {
	g := fake.New(fake.Config{})
	raw := parseJSON(t, `{"type":"object","properties":{"n":{"type":"string","minLength":3,"maxLength":1}}}`)
	_, err := g.Prepare(raw, fake.PrepareOptions{Location: "#/components/messages/chat/payload"})
	want := "fake: schema #/components/messages/chat/payload/properties/n: minLength 3 > maxLength 1"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestPrepareJoinsAllProblems(t *testing.T) {
	g := fake.New(fake.Config{})
	raw := parseJSON(t, `{"properties":{"a":{"type":"string","pattern":"\\b"},"b":{"type":"integer","minimum":3,"maximum":1}}}`)
	_, err := g.Prepare(raw, fake.PrepareOptions{})
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"#/properties/a/pattern", "#/properties/b"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q missing from %v", want, err)
		}
	}
}

func TestResolver(t *testing.T) {
	doc := parseJSON(t, `{"components":{"schemas":{
		"User":{"type":"object","properties":{"name":{"type":"string","format":"first_name"},"friend":{"$ref":"#/components/schemas/User"}},"required":["name"],"additionalProperties":false},
		"Id":{"type":"string","format":"uuid"}}}}`)
	var asked []string
	resolver := func(base, ref string) (any, string, error) {
		asked = append(asked, ref)
		if !strings.HasPrefix(base, "#/") {
			return nil, "", errors.New("bad base " + base)
		}
		v, err := pointer(doc, ref)
		return v, ref, err
	}
	payload := parseJSON(t, `{"type":"object","properties":{"id":{"$ref":"#/components/schemas/Id"},"user":{"$ref":"#/components/schemas/User"}},"required":["id","user"]}`)
	g := fake.New(fake.Config{Seed: 3, Resolver: resolver, MaxDepth: 3})
	s, err := g.Prepare(payload, fake.PrepareOptions{Location: "#/components/messages/m/payload"})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) == 0 {
		t.Fatal("resolver never called")
	}
	for range 200 {
		v, err := g.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		m := v.(map[string]any)
		if _, ok := m["id"].(string); !ok {
			t.Fatalf("id missing: %#v", v)
		}
		u := m["user"].(map[string]any)
		if _, ok := u["name"].(string); !ok {
			t.Fatalf("user.name missing: %#v", v)
		}
		// The validator Prepare compiled must reject a broken value.
		u["name"] = 5
		if s.Validator().Validate(v) == nil {
			t.Fatal("bundled validator accepted an invalid value")
		}
	}
	// Errors inside resolved schemas are reported at the reference.
	bad := func(_, ref string) (any, string, error) {
		return parseJSON(t, `{"type":"integer","minimum":5,"maximum":1}`), ref, nil
	}
	g = fake.New(fake.Config{Resolver: bad})
	_, err = g.Prepare(parseJSON(t, `{"$ref":"#/components/schemas/Bad"}`), fake.PrepareOptions{})
	var se *fake.SchemaError
	if !errors.As(err, &se) || se.Location != "#/components/schemas/Bad" {
		t.Fatalf("err = %v, want a SchemaError at #/components/schemas/Bad", err)
	}
}

func TestCallerValidatorIsUsed(t *testing.T) {
	// The caller's validator is stricter than the raw schema: the
	// generator must retry until the value passes it, or fail.
	raw := parseJSON(t, `{"type":"integer","minimum":0,"maximum":100}`)
	strict := compileIndependent(t, parseJSON(t, `{"type":"integer","minimum":0,"maximum":100,"multipleOf":2}`))
	g := fake.New(fake.Config{Seed: 9, MaxAttempts: 50})
	s, err := g.Prepare(raw, fake.PrepareOptions{Validator: strict})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		v, err := g.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if v.(int64)%2 != 0 {
			t.Fatalf("odd value %v passed", v)
		}
	}
	never := compileIndependent(t, parseJSON(t, `{"type":"string"}`))
	_, err = g.Prepare(raw, fake.PrepareOptions{Validator: never})
	var se *fake.SchemaError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "failed validation") {
		t.Fatalf("err = %v, want a validation failure", err)
	}
}

func depthOf(v any) int {
	switch v := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range v {
			d = max(d, depthOf(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range v {
			d = max(d, depthOf(e))
		}
		return d + 1
	}
	return 0
}

func TestRecursionDepthBound(t *testing.T) {
	raw := loadJSON(t, "testdata/corpus/34_recursive_tree.json")
	for _, maxDepth := range []int{1, 2, 4, 8} {
		g := fake.New(fake.Config{Seed: 1, MaxDepth: maxDepth})
		s, err := g.Prepare(raw, fake.PrepareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		deepest := 0
		for range 300 {
			v, err := g.Generate(s)
			if err != nil {
				t.Fatal(err)
			}
			deepest = max(deepest, depthOf(v))
		}
		// Each tree level is an object holding an array: two levels of
		// nesting, and the last array may be empty.
		if deepest > maxDepth+2 {
			t.Errorf("MaxDepth %d: nesting %d", maxDepth, deepest)
		}
		if maxDepth >= 4 && deepest < 3 {
			t.Errorf("MaxDepth %d: never recursed (deepest %d)", maxDepth, deepest)
		}
	}
}

func TestKnownFormats(t *testing.T) {
	for _, f := range []string{"date-time", "email", "uuid", "first_name", "firstName", "first-name", "sentence", "city", "phone_number", "user_name", "color_name", "iso8601"} {
		if !fake.KnownFormat(f) {
			t.Errorf("KnownFormat(%q) = false", f)
		}
	}
	if fake.KnownFormat("no_such_thing") {
		t.Error("KnownFormat(no_such_thing) = true")
	}
}

func TestGenerateRaw(t *testing.T) {
	g := fake.New(fake.Config{Seed: 5})
	v, err := g.GenerateRaw(parseJSON(t, `{"type":"string","format":"email"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := v.(string); !ok || !strings.Contains(s, "@") {
		t.Fatalf("v = %#v", v)
	}
}

func TestYAMLInput(t *testing.T) {
	// AsyncAPI documents are mostly YAML: integers decode as int, floats as
	// float64, and the generator must read both.
	var raw any
	err := yaml.Unmarshal([]byte(`
type: object
required: [id, ratio, tags, kind]
properties:
  id: {type: integer, minimum: 1, maximum: 9, multipleOf: 3}
  ratio: {type: number, minimum: 0.5, maximum: 2.5, multipleOf: 0.25}
  tags:
    type: array
    items: {type: string, enum: [a, b, c]}
    minItems: 2
    maxItems: 3
    uniqueItems: true
  kind: {const: 7}
additionalProperties: false
`), &raw)
	if err != nil {
		t.Fatal(err)
	}
	indep := compileIndependent(t, raw)
	g := fake.New(fake.Config{Seed: 11})
	s, err := g.Prepare(raw, fake.PrepareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range 500 {
		v, err := g.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := indep.Validate(v); err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
	}
}

func TestConcurrentGenerate(t *testing.T) {
	raw := loadJSON(t, "testdata/corpus/47_chat_message.json")
	g := fake.New(fake.Config{Seed: 2})
	s, err := g.Prepare(raw, fake.PrepareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if _, err := g.Generate(s); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestOneOfBranchesAllReached(t *testing.T) {
	raw := loadJSON(t, "testdata/corpus/27_oneof_objects_discriminated.json")
	g := fake.New(fake.Config{Seed: 4})
	s, err := g.Prepare(raw, fake.PrepareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for range 200 {
		v, err := g.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		kinds[v.(map[string]any)["kind"].(string)]++
	}
	if kinds["cat"] == 0 || kinds["dog"] == 0 {
		t.Fatalf("branches reached: %v", kinds)
	}
}

func TestNullableProducesNull(t *testing.T) {
	for _, schema := range []string{`{"type":["string","null"]}`, `{"type":"string","nullable":true}`} {
		g := fake.New(fake.Config{Seed: 8})
		s, err := g.Prepare(parseJSON(t, schema), fake.PrepareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		nulls, strs := 0, 0
		for range 300 {
			v, err := g.Generate(s)
			if err != nil {
				t.Fatal(err)
			}
			switch v.(type) {
			case nil:
				nulls++
			case string:
				strs++
			default:
				t.Fatalf("%s: got %#v", schema, v)
			}
		}
		if nulls == 0 || strs == 0 {
			t.Errorf("%s: %d nulls, %d strings", schema, nulls, strs)
		}
	}
}

func pointer(doc any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, errors.New("not found")
	}
	cur := doc
	for _, tok := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, errors.New("not found")
		}
		if cur, ok = m[tok]; !ok {
			return nil, errors.New("not found")
		}
	}
	return cur, nil
}

func TestResolverAcrossFiles(t *testing.T) {
	// Two files: references inside common.json are relative to it, which the
	// Resolver learns from the base it is given.
	files := map[string]any{
		"":            parseJSON(t, `{"components":{"schemas":{"Msg":{"type":"object","properties":{"from":{"$ref":"common.json#/User"}},"required":["from"],"additionalProperties":false}}}}`),
		"common.json": parseJSON(t, `{"User":{"type":"object","properties":{"name":{"$ref":"#/Name"},"boss":{"$ref":"#/User"}},"required":["name"]},"Name":{"type":"string","pattern":"^[A-Z][a-z]{2,8}$"}}`),
	}
	var bases []string
	resolver := func(base, ref string) (any, string, error) {
		bases = append(bases, base)
		file, _, _ := strings.Cut(base, "#")
		target, frag, _ := strings.Cut(ref, "#")
		if target != "" {
			file = target
		}
		doc, ok := files[file]
		if !ok {
			return nil, "", errors.New("no file " + file)
		}
		v, err := pointer(doc, "#"+frag)
		return v, file + "#" + frag, err
	}
	g := fake.New(fake.Config{Seed: 12, Resolver: resolver})
	s, err := g.Prepare(parseJSON(t, `{"$ref":"#/components/schemas/Msg"}`), fake.PrepareOptions{Location: "#/channels/c/messages/m/payload"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"#/channels/c/messages/m/payload", "#/components/schemas/Msg/properties/from", "common.json#/User/properties/name", "common.json#/User/properties/boss"}
	for _, w := range want {
		if !slices.Contains(bases, w) {
			t.Errorf("resolver never asked with base %q (got %q)", w, bases)
		}
	}
	for range 200 {
		v, err := g.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		name := v.(map[string]any)["from"].(map[string]any)["name"].(string)
		if len(name) < 3 || name[0] < 'A' || name[0] > 'Z' {
			t.Fatalf("name %q does not match the pattern from common.json", name)
		}
	}
	// An error inside the other file names that file.
	files["common.json"].(map[string]any)["Name"] = parseJSON(t, `{"type":"string","minLength":4,"maxLength":2}`)
	g = fake.New(fake.Config{Resolver: resolver})
	_, err = g.Prepare(parseJSON(t, `{"$ref":"#/components/schemas/Msg"}`), fake.PrepareOptions{})
	var se *fake.SchemaError
	if !errors.As(err, &se) || se.Location != "common.json#/Name" {
		t.Fatalf("err = %v, want a SchemaError at common.json#/Name", err)
	}
}

func TestFakerProviderFormats(t *testing.T) {
	names := []string{"first_name", "last_name", "name", "sentence", "paragraph", "word", "text", "city",
		"country", "address", "street_address", "phone_number", "company", "job", "user_name", "url",
		"email", "color_name", "iso8601", "date_time", "uuid4", "ipv4", "mac_address", "currency_code",
		"date_of_birth", "postcode", "country_code", "catch_phrase", "user_agent", "file_name", "md5"}
	g := fake.New(fake.Config{Seed: 3})
	for _, name := range names {
		if !fake.KnownFormat(name) {
			t.Errorf("KnownFormat(%q) = false", name)
			continue
		}
		s, err := g.Prepare(parseJSON(t, `{"type":"string","format":"`+name+`","maxLength":40}`), fake.PrepareOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		seen := map[string]bool{}
		for range 20 {
			v, err := g.Generate(s)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			str := v.(string)
			if str == "" || len([]rune(str)) > 40 {
				t.Fatalf("%s: %q", name, str)
			}
			seen[str] = true
		}
		if len(seen) < 3 {
			t.Errorf("%s: only %d distinct values in 20: %v", name, len(seen), seen)
		}
	}
}

func TestNumberNameHints(t *testing.T) {
	g := fake.New(fake.Config{Seed: 5})
	s, err := g.Prepare(parseJSON(t, `{"type":"object","properties":{"age":{"type":"integer"},"latitude":{"type":"number"},"month":{"type":"integer","minimum":20}},"required":["age","latitude","month"]}`), fake.PrepareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		v, err := g.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		m := v.(map[string]any)
		if a := m["age"].(int64); a < 1 || a > 99 {
			t.Fatalf("age %d", a)
		}
		lat, _ := m["latitude"].(float64)
		if li, ok := m["latitude"].(int64); ok {
			lat = float64(li)
		}
		if lat < -90 || lat > 90 {
			t.Fatalf("latitude %v", m["latitude"])
		}
		// The schema's bounds win over the hint when they do not overlap.
		if mo := m["month"].(int64); mo < 20 {
			t.Fatalf("month %d below the schema minimum", mo)
		}
	}
}

func TestDeadSchemasAvoided(t *testing.T) {
	// Deliberately unsatisfiable schemas that a value can avoid are not
	// errors: the generator just never uses them.
	for _, schema := range []string{
		`{"properties":{"p":{"not":true}},"required":["p"]}`, // untyped: non-objects are valid
		`{"type":"object","properties":{"legacy":false,"x":{"not":{}}}}`,
		`{"anyOf":[false,{"type":"integer"}]}`,
		`{"type":"array","items":false}`,
		`{"type":"integer","not":{"type":"integer","minimum":5,"maximum":1}}`,
		`{"type":"integer","if":{"type":"integer","minimum":5,"maximum":1},"then":{"const":1}}`,
	} {
		g := fake.New(fake.Config{Seed: 1})
		s, err := g.Prepare(parseJSON(t, schema), fake.PrepareOptions{})
		if err != nil {
			t.Errorf("%s: %v", schema, err)
			continue
		}
		indep := compileIndependent(t, parseJSON(t, schema))
		for range 100 {
			v, err := g.Generate(s)
			if err != nil {
				t.Fatalf("%s: %v", schema, err)
			}
			if err := indep.Validate(v); err != nil {
				t.Fatalf("%s: %#v: %v", schema, v, err)
			}
		}
	}
	// Contradictions are reported even where a value could avoid them:
	// they are bugs in the document.
	for _, tc := range []struct{ schema, loc string }{
		{`{"type":"object","properties":{"age":{"type":"integer","minimum":200,"maximum":100}}}`, "#/properties/age"},
		{`{"oneOf":[{"type":"string","minLength":3,"maxLength":1},{"type":"integer"}]}`, "#/oneOf/0"},
		{`{"type":"array","items":{"enum":[1,2],"type":"string"}}`, "#/items"},
	} {
		_, err := fake.New(fake.Config{}).Prepare(parseJSON(t, tc.schema), fake.PrepareOptions{})
		var se *fake.SchemaError
		if !errors.As(err, &se) || se.Location != tc.loc {
			t.Errorf("%s: err = %v, want a SchemaError at %s", tc.schema, err, tc.loc)
		}
	}
}

func TestCorpusAtSmallDepths(t *testing.T) {
	// Past MaxDepth the generator takes the least nested choices; they must
	// still be valid, recursion included.
	for _, file := range corpus(t) {
		raw := loadJSON(t, file)
		indep := compileIndependent(t, raw)
		for _, d := range []int{1, 2} {
			g := fake.New(fake.Config{Seed: uint64(d), MaxDepth: d})
			s, err := g.Prepare(raw, fake.PrepareOptions{})
			if err != nil {
				t.Fatalf("%s MaxDepth %d: %v", filepath.Base(file), d, err)
			}
			for range 100 {
				v, err := g.Generate(s)
				if err != nil {
					t.Fatalf("%s MaxDepth %d: %v", filepath.Base(file), d, err)
				}
				if err := indep.Validate(v); err != nil {
					t.Fatalf("%s MaxDepth %d: %#v: %v", filepath.Base(file), d, v, err)
				}
			}
		}
	}
}

func TestUseExamples(t *testing.T) {
	raw := parseJSON(t, `{"type":"object","properties":{"user":{"type":"string","examples":["alice","bob", 7]},"n":{"type":"integer","minimum":0,"default":-1}},"required":["user","n"]}`)
	for _, use := range []bool{false, true} {
		g := fake.New(fake.Config{Seed: 6, UseExamples: use})
		s, err := g.Prepare(raw, fake.PrepareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		fromExamples := 0
		for range 200 {
			v, err := g.Generate(s)
			if err != nil {
				t.Fatal(err)
			}
			m := v.(map[string]any)
			if u := m["user"]; u == "alice" || u == "bob" {
				fromExamples++
			}
			if n := m["n"].(int64); n < 0 {
				t.Fatalf("invalid default used: %v", n)
			}
		}
		if use && (fromExamples < 50 || fromExamples > 150) {
			t.Errorf("UseExamples: %d of 200 from examples", fromExamples)
		}
		if !use && fromExamples > 0 {
			t.Errorf("examples used %d times without UseExamples", fromExamples)
		}
	}
}
