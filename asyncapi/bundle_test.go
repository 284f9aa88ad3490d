package asyncapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
)

const bundleFixture = "testdata/bundle/asyncapi.yaml"

// refsOf lists every $ref string of a tree with its JSON pointer.
func refsOf(v any, ptr string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			out[ptr] = r
		}
		for k, c := range x {
			refsOf(c, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), out)
		}
	case []any:
		for i, c := range x {
			refsOf(c, ptr+"/"+strconv.Itoa(i), out)
		}
	}
}

// pointer evaluates a "#/..." reference inside tree without following $ref
// along the way, as a plain JSON reader (the docs page, a browser) does.
func pointer(tree any, ref string) (any, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, false
	}
	if frag == "" {
		return tree, true
	}
	cur := tree
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			if cur, ok = c[tok]; !ok {
				return nil, false
			}
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

// checkSelfContained fails unless every $ref of tree is internal and points
// at a value of tree.
func checkSelfContained(t *testing.T, tree map[string]any) {
	t.Helper()
	refs := map[string]string{}
	refsOf(tree, "", refs)
	for at, r := range refs {
		if _, ok := pointer(tree, r); !ok {
			t.Errorf("%s: $ref %q does not resolve inside the bundle", at, r)
		}
	}
}

// noReads is a ReadFile that fails the test: a bundle must need no file.
func noReads(t *testing.T) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		t.Errorf("the bundle made the loader read %s", p)
		return nil, fs.ErrNotExist
	}
}

// reparse loads a bundle as a document of its own, in a directory where no
// referenced file exists.
func reparse(t *testing.T, tree map[string]any) *asyncapi.Document {
	t.Helper()
	data, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := asyncapi.Parse(context.Background(), filepath.Join(t.TempDir(), "bundled.json"), data, asyncapi.Config{ReadFile: noReads(t)})
	if err != nil {
		t.Fatalf("the bundle does not load: %v\n%s", err, data)
	}
	return doc
}

// events summarises the model for comparison, sorted: a value tree has no
// key order, so a re-parsed bundle lists namespaces and events in another one.
func events(doc *asyncapi.Document) []string {
	var out []string
	for _, ns := range doc.Namespaces {
		out = append(out, fmt.Sprintf("%s: auth=%v", ns.Name, ns.Auth != nil))
		for _, e := range ns.Events {
			s := fmt.Sprintf("%s: %s %q arity=%v payload=%v", ns.Name, e.Direction, e.Name, e.Arity, e.Payload != nil)
			if e.Ack != nil {
				s += fmt.Sprintf(" ack=%v/%v", e.Ack.Arity, e.Ack.Payload != nil)
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func TestBundleMultiFile(t *testing.T) {
	var mu sync.Mutex
	reads := map[string]int{}
	cfg := asyncapi.Config{ReadFile: func(p string) ([]byte, error) {
		mu.Lock()
		reads[filepath.Clean(p)]++
		mu.Unlock()
		return os.ReadFile(p)
	}}
	doc, err := asyncapi.Load(context.Background(), bundleFixture, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := doc.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) != 3 {
		t.Errorf("files read: %v, want the main, schemas and messages files", reads)
	}
	for p, n := range reads {
		if n != 1 {
			t.Errorf("%s read %d times, want once", p, n)
		}
	}
	checkSelfContained(t, tree)
	refs := map[string]string{}
	refsOf(tree, "", refs)
	for at, r := range refs {
		if !strings.HasPrefix(r, "#/") {
			t.Errorf("%s: external $ref %q left in the bundle", at, r)
		}
	}

	// the main file's User keeps its name; the other User and the second Name get new ones
	for ref, want := range map[string]string{
		"#/components/schemas/User/properties/nick":         `{"type":"string"}`,
		"#/components/schemas/user_User/properties/manager": `{"$ref":"#/components/schemas/user_User"}`,
		"#/components/schemas/user_User/properties/name":    `{"$ref":"#/components/schemas/user_Name"}`,
		"#/components/schemas/user_Name":                    `{"minLength":1,"type":"string"}`,
		"#/components/schemas/Name":                         `{"pattern":"^#","type":"string"}`,
		"#/components/schemas/Thread/items":                 `{"$ref":"#/components/schemas/Message"}`,
		"#/components/schemas/Message/properties/thread":    `{"$ref":"#/components/schemas/Thread"}`,
		"#/channels/chat/messages/newMessage":               `{"$ref":"#/components/messages/NewMessage"}`,
		"#/channels/chat/x-auth":                            `{"$ref":"#/components/schemas/Credentials"}`,
		"#/channels/chat/messages/nick/payload":             `{"$ref":"#/components/schemas/User"}`,
		"#/operations/sendMessage/messages/0":               `{"$ref":"#/channels/chat/messages/newMessage"}`,
	} {
		v, ok := pointer(tree, ref)
		got, _ := json.Marshal(v)
		if !ok || string(got) != want {
			t.Errorf("%s = %s, want %s", ref, got, want)
		}
	}

	// deterministic: the same bytes from the same document (also when
	// bundled concurrently) and from a new load
	first, _ := json.Marshal(tree)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			b, err := doc.Bundle()
			if got, _ := json.Marshal(b); err != nil || !bytes.Equal(got, first) {
				t.Errorf("concurrent bundle differs (%v)", err)
			}
		})
	}
	wg.Wait()
	for range 10 {
		again, err := asyncapi.Load(context.Background(), bundleFixture, asyncapi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []*asyncapi.Document{doc, again} {
			b, err := d.Bundle()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(b)
			if !bytes.Equal(got, first) {
				t.Fatalf("bundle differs between runs:\n%s\n%s", first, got)
			}
		}
	}

	// the bundle is the same API: same events, and the same payloads accepted
	bundled := reparse(t, tree)
	if a, b := events(doc), events(bundled); !slices.Equal(a, b) {
		t.Errorf("events differ:\nfile:   %q\nbundle: %q", a, b)
	}
	user := func(id, name string, manager any) map[string]any {
		u := map[string]any{"id": id, "name": name}
		if manager != nil {
			u["manager"] = manager
		}
		return u
	}
	samples := []struct {
		event string
		v     any
		ok    bool
	}{
		{"new message", map[string]any{"text": "hi", "author": user("1", "ann", user("2", "bob", nil)),
			"thread": []any{map[string]any{"text": "re", "author": user("3", "cy", nil)}}}, true},
		// the recursive manager must still be checked: its name is empty
		{"new message", map[string]any{"text": "hi", "author": user("1", "ann", user("2", "", nil))}, false},
		// across files: thread (messages file) -> Message (schemas file) -> User
		{"new message", map[string]any{"text": "hi", "author": user("1", "ann", nil),
			"thread": []any{map[string]any{"text": "re", "author": map[string]any{"id": "3"}}}}, false},
		{"user joined", map[string]any{"user": user("1", "ann", nil), "room": "#general"}, true},
		// the messages file's Name (pattern ^#), not the schemas file's
		{"user joined", map[string]any{"user": user("1", "ann", nil), "room": "general"}, false},
		{"nick", map[string]any{"nick": "ann"}, true},
		// the main file's User, not the schemas file's
		{"nick", user("1", "ann", nil), false},
	}
	for _, d := range []*asyncapi.Document{doc, bundled} {
		ns := d.Namespace("/")
		if ns == nil || ns.Auth == nil {
			t.Fatalf("%s: no namespace / with x-auth", d.File)
		}
		if err := ns.Auth.Validate(map[string]any{"token": "short"}); err == nil {
			t.Errorf("%s: a 5-character token passes x-auth (minLength 8)", d.File)
		}
		for i, s := range samples {
			var ev *asyncapi.Event
			for _, e := range ns.Events {
				if e.Name == s.event {
					ev = e
				}
			}
			if ev == nil || ev.Payload == nil {
				t.Fatalf("%s: no event %q with a payload", d.File, s.event)
			}
			if err := ev.Payload.Validate(s.v); (err == nil) != s.ok {
				t.Errorf("%s: sample %d of %q: valid=%v, want %v (%v)", d.File, i, s.event, err == nil, s.ok, err)
			}
		}
	}
}

// Every valid document of the corpus bundles to a document that loads on
// its own and describes the same events.
func TestBundleCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus, "valid", "*.*"))
	files = append(files, bundleFixture)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc := load(t, f)
			tree, err := doc.Bundle()
			if err != nil {
				t.Fatal(err)
			}
			checkSelfContained(t, tree)
			bundled := reparse(t, tree)
			if a, b := events(doc), events(bundled); !slices.Equal(a, b) {
				t.Errorf("events differ:\nfile:   %q\nbundle: %q", a, b)
			}
			if len(events(doc)) == 0 && !strings.Contains(f, "schema-default") {
				t.Errorf("no events compared")
			}
		})
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A draft-07 payload is not moved into components/schemas, which the loader
// compiles as 2020-12 (where items: [...] is invalid): it is inlined.
func TestBundleKeepsDialect(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"api.yaml": `asyncapi: 2.6.0
info: {title: t, version: "1"}
channels:
  /:
    publish:
      message:
        name: move
        schemaFormat: application/schema+yaml;version=draft-07
        payload:
          $ref: "move.yaml#/Move"
`,
		"move.yaml": `Move:
  type: array
  items: [{$ref: "#/Coord"}, {$ref: "#/Coord"}]
  additionalItems: false
Coord: {type: integer}
`,
	})
	doc := load(t, filepath.Join(dir, "api.yaml"))
	tree, err := doc.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, tree)
	if c, ok := tree["components"]; ok {
		t.Errorf("components = %v, want the draft-07 schemas inlined", c)
	}
	bundled := reparse(t, tree)
	if a, b := events(doc), events(bundled); !slices.Equal(a, b) || !strings.Contains(a[1], "tuple") {
		t.Errorf("events differ:\nfile:   %q\nbundle: %q", a, b)
	}
	p := bundled.Namespace("/").Events[0].Payload
	if p.Validate([]any{1, 2}) != nil || p.Validate([]any{1, "x"}) == nil || p.Validate([]any{1, 2, 3}) == nil {
		t.Errorf("the inlined draft-07 tuple does not validate as the original")
	}
}

// A main-file entry that is only a $ref to another file becomes its target,
// under its own name; other refs to that target point at it.
func TestBundleHomes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"api.yaml": `asyncapi: 2.6.0
info: {title: t, version: "1"}
channels:
  /admin:
    $ref: "parts/admin.yaml#/Admin"
components:
  schemas:
    Person:
      $ref: "parts/admin.yaml#/Person"
`,
		"parts/admin.yaml": `Admin:
  publish:
    message:
      name: ban
      payload:
        type: object
        properties:
          who: {$ref: "#/Person"}
          boss: {$ref: "#/Person/properties/boss"}
Person:
  type: object
  properties:
    name: {type: string}
    boss: {$ref: "#/Person"}
`,
	})
	doc := load(t, filepath.Join(dir, "api.yaml"))
	tree, err := doc.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, tree)
	for ref, want := range map[string]string{
		"#/channels/~1admin/publish/message/payload/properties/who":  `{"$ref":"#/components/schemas/Person"}`,
		"#/channels/~1admin/publish/message/payload/properties/boss": `{"$ref":"#/components/schemas/Person/properties/boss"}`,
		"#/components/schemas/Person/properties/boss":                `{"$ref":"#/components/schemas/Person"}`,
	} {
		v, ok := pointer(tree, ref)
		got, _ := json.Marshal(v)
		if !ok || string(got) != want {
			t.Errorf("%s = %s, want %s", ref, got, want)
		}
	}
	if n := len(tree["components"].(map[string]any)["schemas"].(map[string]any)); n != 1 {
		t.Errorf("%d schemas in components, want Person only", n)
	}
	bundled := reparse(t, tree)
	if a, b := events(doc), events(bundled); !slices.Equal(a, b) {
		t.Errorf("events differ:\nfile:   %q\nbundle: %q", a, b)
	}
}

func TestBundleDanglingRef(t *testing.T) {
	path := filepath.Join(corpus, "invalid", "dangling-external-ref-2.6.yaml")
	doc, err := asyncapi.Load(context.Background(), path, asyncapi.Config{})
	var inv *asyncapi.InvalidError
	if !errors.As(err, &inv) || doc == nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = doc.Bundle()
	if err == nil || !strings.Contains(err.Error(), path+":11:17: $ref") || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Bundle: %v, want the position of the $ref and a not-exist error", err)
	}
}
