package docs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/docs"
)

// The document of asyncapi/testdata/bundle is split over three files: the
// main one, schemas/user.yaml and messages/chat.yaml.
const multiFile = "../asyncapi/testdata/bundle/asyncapi.yaml"

// refs lists the $ref strings of a decoded JSON tree.
func refs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			*out = append(*out, r)
		}
		for _, c := range x {
			refs(c, out)
		}
	case []any:
		for _, c := range x {
			refs(c, out)
		}
	}
}

// at evaluates a "#/..." reference in a tree without following $ref on the
// way, as a reader of asyncapi.json with no knowledge of AsyncAPI would.
func at(tree any, ref string) bool {
	frag, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	cur := tree
	for _, tok := range strings.Split(frag, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			if cur, ok = c[tok]; !ok {
				return false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return false
			}
			cur = c[i]
		default:
			return false
		}
	}
	return true
}

func TestBundledMultiFileDocument(t *testing.T) {
	doc, err := asyncapi.Load(context.Background(), multiFile, asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	raw := doc.Raw.(map[string]any)
	tree, err := doc.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	// what every referenced schema and message contributes to the page
	want := []string{
		"new message", "user joined", "nick", // events, two from messages/chat.yaml
		"token", "min length</span> <code>8<", // x-auth, from schemas/user.yaml
		"author", "thread", "manager", // Message and User properties
		"recursive: see user_User", "recursive: see Message", // the cycles, drawn as links
		"room", "min length</span> <code>1<", // user_Name
	}

	// the main file alone: the problem this bundle solves
	h, err := docs.NewHandler(raw, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, get(t, h, http.MethodGet, "/docs", "/docs/", nil))
	if !strings.Contains(page, "unresolved reference ./schemas/user.yaml#/Credentials") || strings.Contains(page, "user joined") {
		t.Errorf("the main file alone renders its external refs: this test no longer shows the difference")
	}

	h, err = docs.NewHandler(tree, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page = body(t, get(t, h, http.MethodGet, "/docs", "/docs/", nil))
	if strings.Contains(page, "unresolved reference") {
		t.Errorf("the bundled page has an unresolved reference")
	}
	for _, s := range want {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}

	for _, path := range []string{"/docs/asyncapi.json", "/docs/asyncapi.yaml"} {
		res := get(t, h, http.MethodGet, "/docs", path, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, res.Status)
		}
		served := decode(t, path, body(t, res))
		var all []string
		refs(served, &all)
		if len(all) < 10 {
			t.Fatalf("%s has %d refs, want those of the three files", path, len(all))
		}
		for _, r := range all {
			if !at(served, r) {
				t.Errorf("%s: $ref %q is not a pointer into the served document", path, r)
			}
		}
	}
}

func decode(t *testing.T, path, text string) any {
	t.Helper()
	var v any
	if strings.HasSuffix(path, ".json") {
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	return jsonTree(t, v)
}

// A pointer that crosses a Reference Object ("#/channels/chat/messages/hi"
// where channels/chat is a $ref) is followed, as the loader follows it.
func TestPointerThroughReference(t *testing.T) {
	doc := map[string]any{
		"asyncapi": "3.0.0",
		"info":     map[string]any{"title": "t", "version": "1"},
		"channels": map[string]any{
			"chat": map[string]any{"$ref": "#/components/channels/chat"},
			"loop": map[string]any{"$ref": "#/channels/loop/messages/x"},
		},
		"operations": map[string]any{
			"hi": map[string]any{
				"action":   "receive",
				"channel":  map[string]any{"$ref": "#/channels/chat"},
				"messages": []any{map[string]any{"$ref": "#/channels/chat/messages/hi"}, map[string]any{"$ref": "#/channels/loop/messages/x"}},
			},
		},
		"components": map[string]any{"channels": map[string]any{"chat": map[string]any{
			"address": "/",
			"messages": map[string]any{"hi": map[string]any{"name": "hello there", "payload": map[string]any{
				"type": "object", "properties": map[string]any{"greeting": map[string]any{"type": "string"}},
			}}},
		}}},
	}
	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, get(t, h, http.MethodGet, "/docs", "/docs/", nil))
	for _, s := range []string{"hello there", "greeting"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}
