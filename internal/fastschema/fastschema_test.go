package fastschema_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sockspec/sockspec/internal/fastschema"
)

// schemas are written as JSON documents whose "s" member is the schema;
// "#/defs/..." references resolve inside the document.
var schemas = []string{
	`{"s": {"type": "string", "minLength": 2, "maxLength": 4}}`,
	`{"s": {"type": "string", "pattern": "^[a-z]+$"}}`,
	`{"s": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10}}`,
	`{"s": {"type": ["number", "null"], "exclusiveMinimum": 0.5, "maximum": 2.5}}`,
	`{"s": {"type": "boolean"}}`,
	`{"s": {"enum": ["a", 1, null, [1, 2], {"k": true}]}}`,
	`{"s": {"const": {"a": [1, "x"]}}}`,
	`{"s": {"type": "object", "properties": {"msg": {"type": "string"}, "seq": {"type": "integer", "minimum": 0}}, "required": ["msg", "seq"], "additionalProperties": false}}`,
	`{"s": {"type": "object", "additionalProperties": {"type": "number"}, "minProperties": 1, "maxProperties": 2}}`,
	`{"s": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false, "minItems": 1}}`,
	`{"s": {"type": "array", "items": {"$ref": "#/defs/node"}, "maxItems": 3}, "defs": {"node": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/defs/node"}}, "v": {"type": "integer"}}}}}`,
	`{"s": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}`,
	`{"s": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 5}]}}`,
	`{"s": {"allOf": [{"type": "object", "required": ["a"]}, {"properties": {"a": {"not": {"type": "null"}}}}]}}`,
	`{"s": {"$ref": "#/defs/t", "required": ["x"]}, "defs": {"t": {"type": "object", "properties": {"x": {"type": "string"}}}}}`,
	`{"s": true}`,
	`{"s": false}`,
	`{"s": {"type": "object", "properties": {"error": {"type": ["string", "null"]}}, "required": ["error"]}}`,
}

var values = []string{
	`null`, `true`, `false`, `0`, `1`, `1.5`, `2`, `2.5`, `10`, `-1`, `1e300`, `9`, `5`, `5.5`, `0.5`,
	`""`, `"a"`, `"ab"`, `"abcd"`, `"abcde"`, `"ÄÖ"`, `"A1"`, `"x"`,
	`[]`, `[1, 2]`, `["a"]`, `["a", 1]`, `["a", 1, 2]`, `["a", "b"]`, `[{"v": 1}]`, `[{"kids": [{"v": "x"}]}]`, `[{"kids": [{"v": 2}]}, {}, {}]`, `[{}, {}, {}, {}]`,
	`{}`, `{"k": true}`, `{"a": [1, "x"]}`, `{"msg": "hi", "seq": 1}`, `{"msg": "hi", "seq": -1}`, `{"msg": "hi"}`, `{"msg": "hi", "seq": 1, "x": 0}`,
	`{"a": 1}`, `{"a": 1, "b": 2, "c": 3}`, `{"a": null}`, `{"x": "s"}`, `{"x": 1}`, `{"error": null}`, `{"error": "taken"}`, `{"error": {"code": "x"}}`,
}

func compileBoth(t testing.TB, src string) (*fastschema.Schema, *jsonschema.Schema) {
	var doc any
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///doc.json", doc); err != nil {
		t.Fatal(err)
	}
	full, err := c.Compile("file:///doc.json#/s")
	if err != nil {
		t.Fatal(err)
	}
	root := doc.(map[string]any)
	resolve := func(file, ref string) (any, string, error) {
		var v any = root
		for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, "", fmt.Errorf("bad ref %s", ref)
			}
			v = m[tok]
		}
		return v, file, nil
	}
	fast := fastschema.Compile(root["s"], "doc.json", resolve, fastschema.Options{})
	if fast == nil {
		t.Fatalf("schema %s did not compile", src)
	}
	return fast, full
}

// TestAgreesWithFullValidator: for the supported subset the fast answer is
// the full validator's, for every schema and value.
func TestAgreesWithFullValidator(t *testing.T) {
	for _, src := range schemas {
		fast, full := compileBoth(t, src)
		for _, vs := range values {
			var v any
			if err := json.Unmarshal([]byte(vs), &v); err != nil {
				t.Fatal(err)
			}
			want := full.Validate(v) == nil
			if got := fast.Valid(v); got != want {
				t.Errorf("schema %s value %s: fast %v, full %v", src, vs, got, want)
			}
		}
	}
}

func TestUnsupportedDoesNotCompile(t *testing.T) {
	for _, src := range []string{
		`{"multipleOf": 3}`, `{"if": {}, "then": {}}`, `{"$id": "x"}`, `{"patternProperties": {}}`,
		`{"uniqueItems": true}`, `{"unevaluatedProperties": false}`, `{"type": "strange"}`, `{"pattern": "(?<"}`,
		`{"$schema": "http://json-schema.org/draft-07/schema#"}`, `{"$ref": "#/missing"}`,
	} {
		var raw any
		_ = json.Unmarshal([]byte(src), &raw)
		resolve := func(string, string) (any, string, error) { return nil, "", fmt.Errorf("no") }
		if s := fastschema.Compile(raw, "f", resolve, fastschema.Options{}); s != nil {
			t.Errorf("%s compiled", src)
		}
	}
	var legacy any
	_ = json.Unmarshal([]byte(`{"type": "string", "format": "email"}`), &legacy)
	if fastschema.Compile(legacy, "f", nil, fastschema.Options{Legacy: true}) != nil {
		t.Error("draft-07 format compiled (it is asserted there)")
	}
	if fastschema.Compile(legacy, "f", nil, fastschema.Options{}) == nil {
		t.Error("2020-12 format (an annotation) did not compile")
	}
}

// FuzzNeverAcceptsInvalid: whatever the value, fast acceptance implies full acceptance.
func FuzzNeverAcceptsInvalid(f *testing.F) {
	for _, v := range values {
		f.Add(v)
	}
	type pair struct {
		fast *fastschema.Schema
		full *jsonschema.Schema
	}
	var compiled []pair
	for _, src := range schemas {
		fs, js := compileBoth(f, src)
		compiled = append(compiled, pair{fs, js})
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v any
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		for i, p := range compiled {
			if p.fast.Valid(v) && p.full.Validate(v) != nil {
				t.Fatalf("schema %d accepted %s that the full validator rejects", i, in)
			}
		}
	})
}

func BenchmarkValid(b *testing.B) {
	fast, _ := compileBoth(b, schemas[7])
	var v any
	_ = json.Unmarshal([]byte(`{"msg": "hello, socket.io", "seq": 12345}`), &v)
	b.ReportAllocs()
	for b.Loop() {
		if !fast.Valid(v) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkFullValidate(b *testing.B) {
	_, full := compileBoth(b, schemas[7])
	var v any
	_ = json.Unmarshal([]byte(`{"msg": "hello, socket.io", "seq": 12345}`), &v)
	b.ReportAllocs()
	for b.Loop() {
		if full.Validate(v) != nil {
			b.Fatal("invalid")
		}
	}
}

// TestBytesAgreeWithFullValidator: ValidJSON gives the full validator's
// answer on the JSON text, including with whitespace and escapes.
func TestBytesAgreeWithFullValidator(t *testing.T) {
	extra := []string{` { "msg" : "h\u00e9" , "seq" : 2 } `, `{"msg":"hi","seq":1,}`, `[1,]`, `"\ud800"`, `01`, `1.`, `{"a":1}x`, `"a\"b"`, `"ab\n"`}
	for _, src := range schemas {
		fast, full := compileBoth(t, src)
		for _, vs := range append(values, extra...) {
			var v any
			wellFormed := json.Unmarshal([]byte(vs), &v) == nil
			want := wellFormed && full.Validate(v) == nil
			got := fast.ValidJSON([]byte(vs))
			if got && !want {
				t.Errorf("schema %s text %s: ValidJSON accepted what the full validator rejects", src, vs)
			}
			if wellFormed && got != want && !strings.Contains(vs, `\u`) {
				t.Errorf("schema %s text %s: ValidJSON %v, full %v", src, vs, got, want)
			}
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, v := range values {
		f.Add(v)
	}
	type pair struct {
		fast *fastschema.Schema
		full *jsonschema.Schema
	}
	var compiled []pair
	for _, src := range schemas {
		fs, js := compileBoth(f, src)
		compiled = append(compiled, pair{fs, js})
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v any
		wellFormed := json.Unmarshal([]byte(in), &v) == nil
		for i, p := range compiled {
			if p.fast.ValidJSON([]byte(in)) && (!wellFormed || p.full.Validate(v) != nil) {
				t.Fatalf("schema %d accepted %q", i, in)
			}
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	fast, _ := compileBoth(b, schemas[7])
	data := []byte(`{"msg": "hello, socket.io", "seq": 12345}`)
	b.ReportAllocs()
	for b.Loop() {
		if !fast.ValidJSON(data) {
			b.Fatal("invalid")
		}
	}
}
