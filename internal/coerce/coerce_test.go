package coerce_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/sockspec/sockspec/internal/coerce"
)

func TestQuery(t *testing.T) {
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"limit": map[string]any{"type": "integer"},
			"ratio": map[string]any{"type": "number"},
			"on":    map[string]any{"type": "boolean"},
			"ids":   map[string]any{"type": "array", "items": map[string]any{"type": "integer"}},
			"name":  map[string]any{"type": "string"},
			"maybe": map[string]any{"type": []any{"integer", "string"}},
			"ref":   map[string]any{"$ref": "#/x"},
		},
	}
	resolve := func(n any) any {
		if m, ok := n.(map[string]any); ok && m["$ref"] == "#/x" {
			return map[string]any{"type": "boolean"}
		}
		return n
	}
	p := coerce.NewPlan(schema, resolve)
	q := url.Values{
		"limit": {"10"}, "ratio": {"0.5"}, "on": {"true"}, "ids": {"1", "2"}, "name": {"007"},
		"maybe": {"x"}, "ref": {"false"}, "EIO": {"4"}, "extra": {"a", "b"},
	}
	got := p.Query(q, func(k string) bool { return k == "EIO" })
	want := map[string]any{
		"limit": int64(10), "ratio": 0.5, "on": true, "ids": []any{int64(1), int64(2)}, "name": "007",
		"maybe": "x", "ref": false, "extra": "a",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	bad := p.Query(url.Values{"limit": {"ten"}, "ratio": {"NaN"}, "on": {"yes"}, "ids": {"x"}}, nil)
	wantBad := map[string]any{"limit": "ten", "ratio": "NaN", "on": "yes", "ids": []any{"x"}}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("unconvertible values must stay strings: %#v", bad)
	}
}

func TestHeaders(t *testing.T) {
	p := coerce.NewPlan(map[string]any{"properties": map[string]any{
		"x-tenant": map[string]any{"type": "string"},
		"X-Count":  map[string]any{"type": "integer"},
	}}, nil)
	h := http.Header{"X-Tenant": {"a", "b"}, "X-Count": {"3"}, "User-Agent": {"go"}}
	got := p.Headers(h)
	want := map[string]any{"x-tenant": "a, b", "X-Count": int64(3)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
}

func FuzzPlan(f *testing.F) {
	f.Add("limit", "12", "integer")
	f.Add("a", "true", "boolean")
	f.Add("n", "1e400", "number")
	f.Fuzz(func(t *testing.T, k, v, typ string) {
		p := coerce.NewPlan(map[string]any{"properties": map[string]any{k: map[string]any{"type": typ}}}, nil)
		_ = p.Query(url.Values{k: {v, v}}, nil)
		_ = p.Headers(http.Header{k: {v}})
	})
}
