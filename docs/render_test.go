package docs_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sockspec/sockspec/docs"
)

var chatEvents = []string{
	"new message", "typing", "stop typing", "add user",
	"user joined", "user left", "login", "server metric",
}

var krakenEvents = []string{"ping", "subscribe", "unsubscribe", "pong", "heartbeat", "systemStatus", "subscriptionStatus"}

var featureEvents = []string{"move", "save tree", "ping", "tick", "metric"}

// get serves one request against h mounted under prefix with StripPrefix.
func get(t *testing.T, h http.Handler, method, prefix, path string, hdr map[string]string) *http.Response {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(prefix, http.StripPrefix(prefix, h))
	mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonTree normalises any decoded value to what encoding/json produces, so
// YAML and JSON decodings compare equal.
func jsonTree(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestServedDocumentsEqualStrippedDocument(t *testing.T) {
	for _, file := range []string{"chat.yaml", "chat3.yaml", "kraken.yaml", "features.yaml"} {
		t.Run(file, func(t *testing.T) {
			doc := loadYAML(t, file)
			want, err := docs.Strip(doc)
			if err != nil {
				t.Fatal(err)
			}
			h, err := docs.NewHandler(doc, docs.Config{})
			if err != nil {
				t.Fatal(err)
			}

			r := get(t, h, "GET", "/docs", "/docs/asyncapi.json", nil)
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("json: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
			}
			var gotJSON any
			if err := json.Unmarshal([]byte(body(t, r)), &gotJSON); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotJSON, jsonTree(t, want)) {
				t.Errorf("served JSON differs from the stripped document")
			}

			r = get(t, h, "GET", "/docs", "/docs/asyncapi.yaml", nil)
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/yaml; charset=utf-8" {
				t.Fatalf("yaml: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
			}
			var gotYAML any
			if err := yaml.Unmarshal([]byte(body(t, r)), &gotYAML); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(jsonTree(t, gotYAML), jsonTree(t, want)) {
				t.Errorf("served YAML differs from the stripped document")
			}
			if !strings.Contains(file, "features") && !reflect.DeepEqual(jsonTree(t, want), jsonTree(t, doc)) {
				t.Errorf("%s has no internal extensions, Strip must not change it", file)
			}
		})
	}
}

func TestYAMLKeepsReadableOrder(t *testing.T) {
	h, err := docs.NewHandler(loadYAML(t, "chat.yaml"), docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	y := body(t, get(t, h, "GET", "/docs", "/docs/asyncapi.yaml", nil))
	order := []string{"asyncapi:", "info:", "servers:", "channels:", "components:"}
	last := -1
	for _, k := range order {
		i := strings.Index(y, "\n"+k)
		if k == "asyncapi:" && strings.HasPrefix(y, k) {
			i = 0
		}
		if i <= last {
			t.Fatalf("%q out of order in\n%s", k, y[:min(len(y), 400)])
		}
		last = i
	}
}

func TestInternalExtensionsStripped(t *testing.T) {
	doc := loadYAML(t, "features.yaml")
	internal := []string{"x-handlers", `"x-handler": "app.`, "x-basicInfoFunc", "x-bearerInfoFunc",
		"x-apiKeyInfoFunc", "x-tokenInfoFunc", "x-scopeValidateFunc", "app.security", "app.handlers", "app.on_connect"}

	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	js := body(t, get(t, h, "GET", "/docs", "/docs/asyncapi.json", nil))
	ym := body(t, get(t, h, "GET", "/docs", "/docs/asyncapi.yaml", nil))
	page := body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	for _, s := range internal {
		for name, served := range map[string]string{"json": js, "yaml": ym, "html": page} {
			if strings.Contains(served, s) {
				t.Errorf("%s leaks %q", name, s)
			}
		}
	}
	// A schema property that only looks like an extension is data.
	if !strings.Contains(js, `"x-handler": {`) {
		t.Errorf("property named x-handler was stripped from the Tick payload")
	}
	// Strip does not modify its input.
	if _, ok := doc["channels"].(map[string]any)["/"].(map[string]any)["x-handlers"]; !ok {
		t.Fatal("Strip modified the caller's document")
	}

	h, err = docs.NewHandler(doc, docs.Config{IncludeInternal: true})
	if err != nil {
		t.Fatal(err)
	}
	js = body(t, get(t, h, "GET", "/docs", "/docs/asyncapi.json", nil))
	page = body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	for _, s := range []string{"x-handlers", "x-basicInfoFunc", "x-scopeValidateFunc", "app.handlers.move"} {
		if !strings.Contains(js, s) {
			t.Errorf("IncludeInternal: json lacks %q", s)
		}
	}
	for _, s := range []string{"app.handlers.move", "app.on_connect"} {
		if !strings.Contains(page, s) {
			t.Errorf("IncludeInternal: page lacks %q", s)
		}
	}
}

func TestIsInternal(t *testing.T) {
	for key, want := range map[string]bool{
		"x-handler": true, "x-handlers": true, "x-basicInfoFunc": true, "x-bearerInfoFunc": true,
		"x-basicBearerInfoFunc": true, "x-apiKeyInfoFunc": true, "x-tokenInfoFunc": true,
		"x-scopeValidateFunc": true, "x-ack": false, "x-security": false, "handler": false,
		"x-messageAcks": false, "x-response": false,
	} {
		if got := docs.IsInternal(key); got != want {
			t.Errorf("IsInternal(%q) = %v, want %v", key, got, want)
		}
	}
}

var (
	nsRe    = regexp.MustCompile(`data-namespace="([^"]*)"`)
	eventRe = regexp.MustCompile(`<article class="event (emit|listen)" id="[^"]*" data-event="([^"]*)"`)
)

// eventsByNamespace reads the rendered page back: namespace -> direction -> event names.
func eventsByNamespace(page string) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	idx := nsRe.FindAllStringSubmatchIndex(page, -1)
	for i, m := range idx {
		end := len(page)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		ns := html.UnescapeString(page[m[2]:m[3]])
		out[ns] = map[string][]string{}
		for _, e := range eventRe.FindAllStringSubmatch(page[m[1]:end], -1) {
			out[ns][e[1]] = append(out[ns][e[1]], html.UnescapeString(e[2]))
		}
	}
	return out
}

func TestPageShowsEveryEventInBothDirections(t *testing.T) {
	chat := map[string]map[string][]string{
		"/": {
			"emit":   {"new message", "typing", "stop typing", "add user"},
			"listen": {"new message", "typing", "stop typing", "user joined", "user left", "login"},
		},
		"/admin": {"listen": {"server metric"}},
	}
	for _, tc := range []struct {
		file string
		want map[string]map[string][]string
	}{
		{"chat.yaml", chat},
		{"chat3.yaml", chat},
		{"kraken.yaml", map[string]map[string][]string{"/": {
			"emit":   {"ping", "subscribe", "unsubscribe"},
			"listen": {"pong", "heartbeat", "systemStatus", "subscriptionStatus"},
		}}},
		{"features.yaml", map[string]map[string][]string{
			"/":      {"emit": {"move", "save tree", "ping"}, "listen": {"tick"}},
			"/admin": {"listen": {"metric"}},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			h, err := docs.NewHandler(loadYAML(t, tc.file), docs.Config{})
			if err != nil {
				t.Fatal(err)
			}
			r := get(t, h, "GET", "/docs", "/docs/", nil)
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("page: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
			}
			page := body(t, r)
			got := eventsByNamespace(page)
			if strings.HasPrefix(tc.file, "chat3") {
				// 3.x operations are a map: events come sorted by name.
				tc.want = map[string]map[string][]string{
					"/": {
						"emit":   {"add user", "new message", "stop typing", "typing"},
						"listen": {"login", "new message", "stop typing", "typing", "user joined", "user left"},
					},
					"/admin": chat["/admin"],
				}
			}
			// Empty directions are not listed in want.
			for ns, dirs := range got {
				for d, evs := range dirs {
					if len(evs) == 0 {
						delete(dirs, d)
					}
				}
				got[ns] = dirs
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events by namespace:\n got %v\nwant %v", got, tc.want)
			}
			for _, s := range []string{"client emits", "client listens"} {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
		})
	}
}

func TestPageContent(t *testing.T) {
	render := func(t *testing.T, file string) string {
		h, err := docs.NewHandler(loadYAML(t, file), docs.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	}
	contains := func(t *testing.T, page string, want ...string) {
		t.Helper()
		for _, s := range want {
			if !strings.Contains(page, s) {
				t.Errorf("page lacks %q", s)
			}
		}
	}
	t.Run("chat", func(t *testing.T) {
		page := render(t, "chat.yaml")
		contains(t, page,
			"Socket.IO chat demo service", "version 1.0.0",
			`<a href="https://socket.io/demos/chat/" rel="noopener noreferrer">`,    // bare URL linked
			"socketio-chat-h9jt.herokuapp.com/socket.io", "<code>/socket.io</code>", // server url and path
			"Acknowledgement", `<span class="sname">error</span><span class="stype t-string">string</span><span class="stype t-null">null</span>`,
			"Query parameters", `<span class="sname">token</span><span class="stype t-string">string</span><span class="req">required</span>`,
			`io(&#34;wss://socketio-chat-h9jt.herokuapp.com/admin&#34;, { query: { token: &#34;…&#34; } })`,
			`No arguments: <code>socket.emit("typing")</code>`,
		)
	})
	t.Run("chat3 reply is the ack", func(t *testing.T) {
		page := render(t, "chat3.yaml")
		i := strings.Index(page, `data-event="add user"`)
		if i < 0 {
			t.Fatal("no add user")
		}
		card := page[i:]
		card = card[:strings.Index(card, "</article>")]
		contains(t, card, "Acknowledgement", `<span class="sname">error</span>`)
		if strings.Contains(page, "add user ack") && strings.Contains(page, `data-event="add user ack"`) {
			t.Error("the reply message is listed as an event")
		}
		if strings.Count(page, `data-namespace=`) != 2 {
			t.Errorf("want 2 namespaces (reply channel is not one), got %d", strings.Count(page, `data-namespace=`))
		}
	})
	t.Run("kraken", func(t *testing.T) {
		page := render(t, "kraken.yaml")
		contains(t, page,
			"<h5>General Considerations</h5>", `<a href="https://www.cloudflare.com/learning/ssl/what-is-sni/" rel="noopener noreferrer">What is SNI?</a>`,
			"one of #1", "all of #1", // subscriptionStatus composition
			`<span class="k">enum</span> <code>&#34;online&#34;, &#34;maintenance&#34;`,
			`<span class="k">pattern</span>`, `<span class="k">default</span> <code>10</code>`,
			"ws.kraken.com", "ws-auth.kraken.com", "Examples", "XBT/USD",
			"x-response", // unknown extensions are shown, not hidden
		)
	})
	t.Run("features", func(t *testing.T) {
		page := render(t, "features.yaml")
		contains(t, page,
			"argument 1", "argument 2", `<span class="stype t-tuple">tuple</span>`,
			`↻ recursive: see Node`, "deprecated", "format</span> <code>date-time",
			`additional properties</span> <code>not allowed`,
			"bearer</a>", `<span class="or">or</span>`, `<span class="and">and</span>`,
			"metrics:read", "https://auth.example.com/token", "OAuth 2.0",
			"X-Client-Version", "HTTP method", "The security of the server you connect to applies", "ws://localhost:5000", // variable default substituted
			"Feature tour &lt;script&gt;alert(1)&lt;/script&gt;",
		)
		// The recursive link points at an element that exists.
		m := regexp.MustCompile(`<a class="sref recursive" href="#([^"]+)">`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, `id="`+m[1]+`"`) {
			t.Errorf("recursive link target missing: %v", m)
		}
		for _, bad := range []string{"<script>alert", "javascript:", "<img src=x", "onerror=alert(1)>"} {
			if strings.Contains(page, bad) {
				t.Errorf("page contains unescaped %q", bad)
			}
		}
	})
}

func TestPaths(t *testing.T) {
	h, err := docs.NewHandler(loadYAML(t, "chat.yaml"), docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		code         int
		ctype        string
		contains     string
	}{
		{"GET", "/api/docs", 200, "text/html; charset=utf-8", `href="docs/static/docs.css"`},
		{"GET", "/api/docs/", 200, "text/html; charset=utf-8", `href="static/docs.css"`},
		{"GET", "/api/docs/index.html", 200, "text/html; charset=utf-8", `href="asyncapi.json"`},
		{"GET", "/api/docs/static/docs.css", 200, "text/css; charset=utf-8", ".schema"},
		{"GET", "/api/docs/static/docs.js", 200, "text/javascript; charset=utf-8", "AsyncApiStandalone"},
		{"GET", "/api/docs/asyncapi.yml", 200, "application/yaml; charset=utf-8", "asyncapi: 2.2.0"},
		{"HEAD", "/api/docs/asyncapi.json", 200, "application/json", ""},
		{"GET", "/api/docs/nope", 404, "", ""},
		{"GET", "/api/docs/static/", 404, "", ""},
		{"POST", "/api/docs/", 405, "", ""},
	} {
		r := get(t, h, tc.method, "/api/docs", tc.path, nil)
		b := body(t, r)
		if r.StatusCode != tc.code {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, r.StatusCode, tc.code)
			continue
		}
		if tc.ctype != "" && r.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("%s %s: content type %q, want %q", tc.method, tc.path, r.Header.Get("Content-Type"), tc.ctype)
		}
		if !strings.Contains(b, tc.contains) {
			t.Errorf("%s %s: body lacks %q", tc.method, tc.path, tc.contains)
		}
		if tc.method == "HEAD" && b != "" {
			t.Errorf("HEAD has a body")
		}
		if tc.code == 405 && r.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("405 without Allow")
		}
	}
	// Conditional requests.
	r := get(t, h, "GET", "/api/docs", "/api/docs/", nil)
	etag := r.Header.Get("ETag")
	if etag == "" || r.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("page headers: %v", r.Header)
	}
	if r := get(t, h, "GET", "/api/docs", "/api/docs/", map[string]string{"If-None-Match": etag}); r.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	if r := get(t, h, "GET", "/api/docs", "/api/docs", map[string]string{"If-None-Match": etag}); r.StatusCode != 200 {
		t.Errorf("pages at /docs and /docs/ differ, so must their ETags: %d", r.StatusCode)
	}
}

func TestReactComponentOption(t *testing.T) {
	doc := loadYAML(t, "chat.yaml")
	h, err := docs.NewHandler(doc, docs.Config{ReactComponent: "cdn"})
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, h, "GET", "/docs", "/docs/", nil)
	page := body(t, r)
	for _, s := range []string{docs.ReactCDNScript, docs.ReactCDNStylesheet, `id="asyncapi-react"`, `data-event="add user"`} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "https://unpkg.com") {
		t.Errorf("CSP does not allow the CDN: %s", csp)
	}

	h, err = docs.NewHandler(doc, docs.Config{ReactComponent: "/vendor/asyncapi/index.js", ReactStylesheet: "/vendor/asyncapi/default.min.css"})
	if err != nil {
		t.Fatal(err)
	}
	page = body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	if !strings.Contains(page, `<script src="/vendor/asyncapi/index.js" defer>`) || !strings.Contains(page, `href="/vendor/asyncapi/default.min.css"`) {
		t.Error("local component path not used")
	}

	h, err = docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r = get(t, h, "GET", "/docs", "/docs/", nil)
	page = body(t, r)
	if strings.Contains(page, "unpkg") || strings.Contains(page, "asyncapi-react") || strings.Contains(page, "http://") && strings.Contains(page, "<script src=\"http") {
		t.Error("default page references the React component")
	}
	if csp := r.Header.Get("Content-Security-Policy"); strings.Contains(csp, "http") {
		t.Errorf("default CSP allows remote origins: %s", csp)
	}

	if _, err := docs.NewHandler(doc, docs.Config{ReactComponent: "javascript:alert(1)"}); err == nil {
		t.Error("javascript: URL accepted")
	}
}

func TestNewHandlerErrors(t *testing.T) {
	for name, doc := range map[string]map[string]any{
		"nil":            nil,
		"no version":     {"info": map[string]any{"title": "x"}},
		"version 1":      {"asyncapi": "1.2.0"},
		"func value":     {"asyncapi": "2.0.0", "info": map[string]any{"title": func() {}}},
		"non-string key": {"asyncapi": "2.0.0", "info": map[any]any{1: "x"}},
	} {
		if _, err := docs.NewHandler(doc, docs.Config{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestHostileDocuments(t *testing.T) {
	// Self-referencing and mutually recursive refs, dangling refs, wrong
	// types everywhere: the page renders and nothing hangs.
	doc := map[string]any{
		"asyncapi": "2.0.0",
		"info":     "not an object",
		"servers":  []any{1, 2},
		"channels": map[string]any{
			"/": map[string]any{
				"publish": map[string]any{"message": map[string]any{"oneOf": []any{
					map[string]any{"$ref": "#/components/messages/Loop"},
					map[string]any{"$ref": "#/components/messages/Missing"},
					map[string]any{"name": "a", "payload": map[string]any{"$ref": "#/components/schemas/A"}},
					map[string]any{"name": "b", "payload": map[string]any{"$ref": "#/components/schemas/B"}},
					map[string]any{"name": "c", "payload": "not a schema", "x-ack": 5, "examples": []any{1, "x"}},
					map[string]any{"name": "d", "payload": map[string]any{"$ref": "https://example.com/schema.json"}},
					7,
				}}},
				"subscribe": "nope",
				"bindings":  map[string]any{"ws": map[string]any{"query": false}},
			},
			"/x": nil,
		},
		"components": map[string]any{
			"messages": map[string]any{"Loop": map[string]any{"$ref": "#/components/messages/Loop"}},
			"schemas": map[string]any{
				"A": map[string]any{"$ref": "#/components/schemas/A"},
				"B": map[string]any{"type": "object", "properties": map[string]any{
					"b": map[string]any{"$ref": "#/components/schemas/B"},
					"c": map[string]any{"$ref": "#/components/schemas/C"},
				}},
				"C": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/B"}},
			},
			"securitySchemes": map[string]any{"s": "nope"},
		},
	}
	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	for _, s := range []string{"unresolved reference #/components/messages/Missing", "recursive: see B", "unresolved reference https://example.com/schema.json"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestExponentialSchemaIsBounded(t *testing.T) {
	// S0 refers to S1 twice, S1 to S2 twice, ...: 2^30 paths without cycles.
	schemas := map[string]any{}
	for i := range 30 {
		next := map[string]any{"$ref": "#/components/schemas/S" + string(rune('A'+i+1))}
		schemas["S"+string(rune('A'+i))] = map[string]any{"type": "object", "properties": map[string]any{"l": next, "r": next}}
	}
	schemas["S"+string(rune('A'+30))] = map[string]any{"type": "string"}
	doc := map[string]any{
		"asyncapi":   "2.0.0",
		"info":       map[string]any{"title": "t", "version": "1"},
		"channels":   map[string]any{"/": map[string]any{"publish": map[string]any{"message": map[string]any{"name": "e", "payload": map[string]any{"$ref": "#/components/schemas/SA"}}}}},
		"components": map[string]any{"schemas": schemas},
	}
	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	if !strings.Contains(page, "schema too large to show in full") && !strings.Contains(page, "nested too deeply") {
		t.Error("no truncation note")
	}
	if len(page) > 4<<20 {
		t.Errorf("page is %d bytes", len(page))
	}
}

func TestWriteStatic(t *testing.T) {
	doc := loadYAML(t, "features.yaml")
	dir := filepath.Join(t.TempDir(), "out")
	if err := docs.WriteStatic(dir, doc, docs.Config{}); err != nil {
		t.Fatal(err)
	}
	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for file, path := range map[string]string{
		"index.html": "/docs/", "asyncapi.json": "/docs/asyncapi.json", "asyncapi.yaml": "/docs/asyncapi.yaml",
		"static/docs.css": "/docs/static/docs.css", "static/docs.js": "/docs/static/docs.js",
	} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if want := body(t, get(t, h, "GET", "/docs", path, nil)); string(b) != want {
			t.Errorf("%s differs from what the handler serves at %s", file, path)
		}
	}
	if err := docs.WriteStatic(filepath.Join(dir, "index.html", "x"), doc, docs.Config{}); err == nil {
		t.Error("writing under a file succeeded")
	}
}

func TestMountPath(t *testing.T) {
	for in, want := range map[string]string{
		"": "/docs", "/": "/docs", "/socket.io": "/docs", "/socket.io/": "/docs", "socket.io": "/docs",
		"/api/socket.io": "/api/docs", "/api/socket.io/": "/api/docs", "/a/b/events": "/a/b/docs",
	} {
		if got := docs.MountPath(in); got != want {
			t.Errorf("MountPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNewHandler(f *testing.F) {
	for _, file := range []string{"kraken.yaml", "features.yaml", "chat3.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var doc map[string]any
		if yaml.Unmarshal(in, &doc) != nil {
			return
		}
		h, err := docs.NewHandler(doc, docs.Config{})
		if err != nil {
			return
		}
		for _, p := range []string{"/docs", "/docs/", "/docs/asyncapi.json", "/docs/asyncapi.yaml"} {
			if r := get(t, h, "GET", "/docs", p, nil); r.StatusCode != 200 {
				t.Fatalf("%s: %d", p, r.StatusCode)
			}
		}
		// The served JSON decodes back to the stripped document.
		var got any
		if err := json.Unmarshal([]byte(body(t, get(t, h, "GET", "/docs", "/docs/asyncapi.json", nil))), &got); err != nil {
			t.Fatal(err)
		}
		want, err := docs.Strip(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, jsonTree(t, want)) {
			t.Fatal("served JSON differs from Strip(doc)")
		}
	})
}

func TestAckForms(t *testing.T) {
	msg := func(name string, ack any) map[string]any {
		return map[string]any{"name": name, "x-ack": ack}
	}
	doc := map[string]any{
		"asyncapi": "2.6.0",
		"info":     map[string]any{"title": "t", "version": "1"},
		"channels": map[string]any{"/": map[string]any{"publish": map[string]any{"message": map[string]any{"oneOf": []any{
			msg("args form", map[string]any{"args": map[string]any{"type": "object", "properties": map[string]any{"fromArgs": map[string]any{"type": "string"}}}}),
			msg("bare form", map[string]any{"type": "object", "properties": map[string]any{"fromBare": map[string]any{"type": "integer"}}}),
			msg("empty form", map[string]any{}),
			msg("tuple form", map[string]any{"args": map[string]any{"type": "array", "prefixItems": []any{map[string]any{"type": "null"}, map[string]any{"type": "string"}}}}),
		}}}}},
	}
	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	card := func(name string) string {
		i := strings.Index(page, `data-event="`+name+`"`)
		if i < 0 {
			t.Fatalf("no card for %q", name)
		}
		c := page[i:]
		return c[:strings.Index(c, "</article>")]
	}
	for name, want := range map[string]string{
		"args form":  `<span class="sname">fromArgs</span>`,
		"bare form":  `<span class="sname">fromBare</span>`,
		"empty form": "acknowledged without arguments",
		"tuple form": `<span class="sname">argument 2</span>`,
	} {
		c := card(name)
		if !strings.Contains(c, "Acknowledgement") || !strings.Contains(c, want) {
			t.Errorf("%s: ack card lacks %q", name, want)
		}
	}

	// 3.x: an operation without a message list shows its channel's messages,
	// except the ones that are another operation's reply.
	doc3 := map[string]any{
		"asyncapi": "3.0.0",
		"info":     map[string]any{"title": "t", "version": "1"},
		"channels": map[string]any{"c": map[string]any{"address": "/", "messages": map[string]any{
			"Ask":    map[string]any{"name": "ask", "payload": map[string]any{"type": "string"}},
			"Answer": map[string]any{"name": "answer", "payload": map[string]any{"type": "integer"}},
		}}},
		"operations": map[string]any{
			"ask": map[string]any{"action": "receive", "channel": map[string]any{"$ref": "#/channels/c"},
				"reply": map[string]any{"messages": []any{map[string]any{"$ref": "#/channels/c/messages/Answer"}}}},
		},
	}
	h, err = docs.NewHandler(doc3, docs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	page = body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	got := eventsByNamespace(page)
	if want := map[string]map[string][]string{"/": {"emit": {"ask"}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if c := card("ask"); !strings.Contains(c, `<span class="stype t-integer">integer</span>`) {
		t.Error("reply payload not shown as the ack of ask")
	}
}

// The error acknowledgement a sockspec server sends is shown once, and only when some event
// the client emits is acknowledged.
func TestErrorAckShape(t *testing.T) {
	page := func(t *testing.T, doc map[string]any) string {
		h, err := docs.NewHandler(doc, docs.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return body(t, get(t, h, "GET", "/docs", "/docs/", nil))
	}
	chat := page(t, loadYAML(t, "chat.yaml")) // "add user" (client emits) has an x-ack
	if n := strings.Count(chat, `id="error-acks"`); n != 1 {
		t.Fatalf("error ack shown %d times", n)
	}
	for _, want := range []string{`{"error": {`, `"instancePath"`, `"schemaPath"`, `"kind"`, `"code": "invalid_payload"`} {
		if !strings.Contains(chat, want) {
			t.Errorf("error ack lacks %q", want)
		}
	}
	msg := func(name string, ack bool) map[string]any {
		m := map[string]any{"name": name, "payload": map[string]any{"type": "string"}}
		if ack {
			m["x-ack"] = map[string]any{"args": map[string]any{"type": "string"}}
		}
		return map[string]any{"message": m}
	}
	doc := func(ch map[string]any) map[string]any {
		return map[string]any{"asyncapi": "2.6.0", "info": map[string]any{"title": "t", "version": "1"},
			"channels": map[string]any{"/": ch}}
	}
	// only the server's events are acked (the client acks them): no error ack from the server
	if p := page(t, doc(map[string]any{"publish": msg("a", false), "subscribe": msg("b", true)})); strings.Contains(p, `id="error-acks"`) {
		t.Error("error ack shown for a document whose client-emitted events have no ack")
	}
	if p := page(t, doc(map[string]any{"publish": msg("a", true)})); !strings.Contains(p, `id="error-acks"`) {
		t.Error("error ack not shown")
	}
}
