package asyncapi_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
)

// summary renders what the rest of sockspec relies on, one line per event.
func summary(doc *asyncapi.Document) []string {
	var out []string
	for _, ns := range doc.Namespaces {
		for _, e := range ns.Events {
			s := fmt.Sprintf("%s %s %q arity=%s/%d..%d payload=%t", ns.Name, e.Direction, e.Name, e.Arity.Kind, e.Arity.Min, e.Arity.Max, e.Payload != nil)
			if e.Ack != nil {
				s += fmt.Sprintf(" ack=%s/%d..%d", e.Ack.Arity.Kind, e.Ack.Arity.Min, e.Ack.Arity.Max)
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func TestChat22Model(t *testing.T) {
	doc := load(t, filepath.Join(corpus, "valid", "chat-2.2.yaml"))
	if doc.Version != "2.2.0" || doc.Info.Title != "Socket.IO chat demo service" {
		t.Fatalf("version/info: %q %+v", doc.Version, doc.Info)
	}
	if len(doc.Servers) != 1 {
		t.Fatalf("servers: %d", len(doc.Servers))
	}
	s := doc.Servers[0]
	if s.Name != "demo" || s.Path != "/socket.io/" || !s.TLS || s.Host != "socketio-chat-h9jt.herokuapp.com" || s.Protocol != "wss" {
		t.Errorf("server: %+v", s)
	}
	want := []string{
		`/ clientToServer "add user" arity=one/1..1 payload=true ack=one/1..1`,
		`/ clientToServer "new message" arity=one/1..1 payload=true`,
		`/ clientToServer "stop typing" arity=none/0..0 payload=false`,
		`/ clientToServer "typing" arity=none/0..0 payload=false`,
		`/ serverToClient "login" arity=one/1..1 payload=true`,
		`/ serverToClient "new message" arity=one/1..1 payload=true`,
		`/ serverToClient "stop typing" arity=one/1..1 payload=true`,
		`/ serverToClient "typing" arity=one/1..1 payload=true`,
		`/ serverToClient "user joined" arity=one/1..1 payload=true`,
		`/ serverToClient "user left" arity=one/1..1 payload=true`,
		`/admin serverToClient "server metric" arity=one/1..1 payload=true`,
	}
	if got := summary(doc); !slices.Equal(got, want) {
		t.Errorf("events:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	admin := doc.Namespace("/admin")
	if admin == nil || admin.Bindings.Query == nil {
		t.Fatal("no /admin query binding")
	}
	if err := admin.Bindings.Query.Validate(map[string]any{"token": "admin"}); err != nil {
		t.Errorf("valid query rejected: %v", err)
	}
	if err := admin.Bindings.Query.Validate(map[string]any{}); err == nil {
		t.Error("query without token accepted")
	}
	add := doc.Namespace("/").Event(asyncapi.ClientToServer, "add user")
	if add.Ack.Source != "x-ack" || add.Ack.Payload.Validate(map[string]any{"error": nil}) != nil {
		t.Errorf("add user ack: %+v", add.Ack)
	}
	if add.Ack.Payload.Validate(map[string]any{"error": 3}) == nil {
		t.Error("ack with numeric error accepted")
	}
	if add.Location.Line != 49 || add.Location.Pointer != "/components/messages/AddUser" {
		t.Errorf("add user location: %+v", add.Location)
	}
	if add.Payload.Location.Line != 51 || add.Payload.Dialect != asyncapi.Dialect2020 {
		t.Errorf("payload location/dialect: %+v %s", add.Payload.Location, add.Payload.Dialect)
	}
}

func TestChat30EquivalentTo22(t *testing.T) {
	d2 := load(t, filepath.Join(corpus, "valid", "chat-2.2.yaml"))
	d3 := load(t, filepath.Join(corpus, "valid", "chat-3.0.yaml"))
	if a, b := summary(d2), summary(d3); !slices.Equal(a, b) {
		t.Errorf("2.2 and 3.0 chat differ:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	add := d3.Namespace("/").Event(asyncapi.ClientToServer, "add user")
	if add == nil || add.Ack == nil || add.Ack.Source != "reply" || add.Operation != "addUser" {
		t.Fatalf("3.0 add user: %+v", add)
	}
	if d3.Servers[0].Path != "/socket.io/" || !d3.Servers[0].TLS {
		t.Errorf("3.0 server: %+v", d3.Servers[0])
	}
	if d3.Namespace("/admin").Bindings.Query == nil {
		t.Error("3.0 /admin has no query binding")
	}
}

func TestAsynctionExtensions(t *testing.T) {
	src := `asyncapi: 2.3.0
info: {title: t, version: "1"}
servers:
  production:
    url: my-company.com/api/socket.io
    protocol: wss
    security:
      - bearer: []
channels:
  /user:
    publish:
      message:
        oneOf:
          - $ref: "#/components/messages/UserLogIn"
    x-handlers:
      connect: handlers.connect
      error: handlers.user_error
  /admin:
    x-security:
      - oauth: [admin]
    subscribe:
      message:
        name: metrics
        payload: {type: string}
        x-ack: {type: string}
components:
  messages:
    UserLogIn:
      name: log in
      payload: {type: object}
      x-handler: handlers.user_log_in
      x-ack:
        $ref: "#/components/x-messageAcks/LogInAck"
  x-messageAcks:
    LogInAck:
      args: {type: boolean}
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    oauth:
      type: oauth2
      flows:
        implicit:
          authorizationUrl: https://example.com/auth
          scopes: {admin: administer}
`
	doc, err := asyncapi.Parse(context.Background(), "asynction.yaml", []byte(src), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p := doc.Servers[0].Path; p != "/api/socket.io/" {
		t.Errorf("path %q", p)
	}
	user := doc.Namespace("/user")
	if user.Handlers.Connect != "handlers.connect" || user.Handlers.Error != "handlers.user_error" {
		t.Errorf("handlers %+v", user.Handlers)
	}
	login := user.Event(asyncapi.ClientToServer, "log in")
	if login.Handler != "handlers.user_log_in" || login.Ack == nil || login.Ack.Arity.Kind != asyncapi.ArityOne || login.Ack.Payload.Validate(true) != nil {
		t.Errorf("log in: %+v", login)
	}
	if len(user.Security) != 1 || user.Security[0].Schemes[0].Name != "bearer" || user.Security[0].Schemes[0].Scheme.Scheme != "bearer" {
		t.Errorf("inherited security: %+v", user.Security)
	}
	admin := doc.Namespace("/admin")
	if len(admin.Security) != 1 || admin.Security[0].Schemes[0].Name != "oauth" || !slices.Equal(admin.Security[0].Schemes[0].Scopes, []string{"admin"}) {
		t.Errorf("x-security: %+v", admin.Security)
	}
	m := admin.Event(asyncapi.ServerToClient, "metrics")
	if m.Ack == nil || m.Ack.Payload.Validate("ok") != nil || m.Ack.Payload.Validate(1) == nil {
		t.Errorf("bare x-ack schema: %+v", m.Ack)
	}
	if s := doc.SecurityScheme("oauth"); s == nil || !slices.Equal(s.Scopes, []string{"admin"}) {
		t.Errorf("oauth scheme: %+v", s)
	}
}

func TestArityRule(t *testing.T) {
	doc := load(t, filepath.Join(corpus, "valid", "recursive-tuple-3.0.yaml"))
	ns := doc.Namespace("/game")
	cases := []struct {
		dir  asyncapi.Direction
		name string
		want asyncapi.Arity
	}{
		{asyncapi.ServerToClient, "tree", asyncapi.Arity{Kind: asyncapi.ArityOne, Min: 1, Max: 1}},
		{asyncapi.ClientToServer, "move", asyncapi.Arity{Kind: asyncapi.ArityTuple, Min: 2, Max: 2}},
		{asyncapi.ClientToServer, "tags", asyncapi.Arity{Kind: asyncapi.ArityOne, Min: 1, Max: 1}},
		{asyncapi.ClientToServer, "ping", asyncapi.Arity{Kind: asyncapi.ArityNone}},
	}
	for _, c := range cases {
		e := ns.Event(c.dir, c.name)
		if e == nil {
			t.Fatalf("no event %s", c.name)
		}
		if e.Arity != c.want {
			t.Errorf("%s: arity %+v, want %+v", c.name, e.Arity, c.want)
		}
	}
	ack := ns.Event(asyncapi.ClientToServer, "move").Ack
	if ack == nil || ack.Arity != (asyncapi.Arity{Kind: asyncapi.ArityTuple, Min: 1, Max: 2}) {
		t.Errorf("move ack: %+v", ack)
	}
	if !ack.Arity.Accepts(1) || !ack.Arity.Accepts(2) || ack.Arity.Accepts(3) || ack.Arity.Accepts(0) {
		t.Error("Accepts")
	}
	tree := ns.Event(asyncapi.ServerToClient, "tree").Payload
	ok := map[string]any{"value": "a", "children": []any{map[string]any{"value": "b", "children": []any{}}}}
	bad := map[string]any{"value": "a", "children": []any{map[string]any{"children": []any{}}}}
	if err := tree.Validate(ok); err != nil {
		t.Errorf("recursive valid value rejected: %v", err)
	}
	if tree.Validate(bad) == nil {
		t.Error("recursive schema accepted a child without value")
	}
	if ref, _ := tree.Raw.(map[string]any)["$ref"].(string); ref != "#/components/schemas/Node" {
		t.Fatalf("raw payload: %v", tree.Raw)
	}
	v, loc, err := doc.ResolveRef(tree.Location.File, "#/components/schemas/Node")
	if err != nil || loc.Pointer != "/components/schemas/Node" || loc.Line != 69 {
		t.Fatalf("ResolveRef: %v %+v", err, loc)
	}
	if v.(map[string]any)["type"] != "object" {
		t.Errorf("resolved: %v", v)
	}
	move := ns.Event(asyncapi.ClientToServer, "move").Payload
	if move.Validate([]any{int64(1), int64(2)}) != nil || move.Validate([]any{int64(1), int64(2), int64(3)}) == nil {
		t.Error("tuple payload validation")
	}
}

func TestExternalRefs(t *testing.T) {
	doc := load(t, filepath.Join(corpus, "valid", "external-refs-2.6.yaml"))
	ns := doc.Namespace("/users")
	create := ns.Event(asyncapi.ClientToServer, "create user")
	created := ns.Event(asyncapi.ServerToClient, "user created")
	if create == nil || created == nil {
		t.Fatalf("events: %v", summary(doc))
	}
	if !strings.HasSuffix(created.Location.File, filepath.Join("external", "common.yaml")) || created.Location.Line != 15 {
		t.Errorf("created location: %+v", created.Location)
	}
	user := map[string]any{"id": "1", "name": "a", "manager": map[string]any{"id": "2", "name": "b"}}
	if err := create.Payload.Validate(user); err != nil {
		t.Errorf("external recursive schema: %v", err)
	}
	if create.Payload.Validate(map[string]any{"id": "1", "name": "a", "manager": map[string]any{"id": "2"}}) == nil {
		t.Error("external recursive schema accepted a manager without name")
	}
	if create.Ack == nil || create.Ack.Payload.Validate(user) != nil {
		t.Errorf("ack: %+v", create.Ack)
	}
	v, loc, err := doc.ResolveRef(created.Payload.Location.File, "#/components/schemas/User")
	if err != nil || !strings.HasSuffix(loc.File, "common.yaml") || v == nil {
		t.Errorf("ResolveRef in external file: %v %+v", err, loc)
	}
}

func TestSchemaFormats(t *testing.T) {
	src := `{
  "asyncapi": "2.6.0",
  "info": {"title": "formats", "version": "1"},
  "channels": {
    "/": {
      "publish": {
        "message": {
          "name": "legacy tuple",
          "schemaFormat": "application/schema+json;version=draft-07",
          "payload": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}
        }
      },
      "subscribe": {
        "message": {
          "name": "yaml aai",
          "schemaFormat": "application/vnd.aai.asyncapi+yaml;version=2.6.0",
          "payload": {"type": "array", "prefixItems": [{"type": "string"}], "minItems": 0}
        }
      }
    },
    "/legacy": {
      "publish": {
        "message": {
          "name": "own dialect",
          "payload": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": [{"type": "string"}], "additionalItems": false}
        }
      }
    }
  }
}`
	doc, err := asyncapi.Parse(context.Background(), "formats.json", []byte(src), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	legacy := doc.Namespace("/").Event(asyncapi.ClientToServer, "legacy tuple")
	if legacy.Payload.Dialect != asyncapi.Dialect07 || legacy.Arity != (asyncapi.Arity{Kind: asyncapi.ArityTuple, Min: 2, Max: 2}) {
		t.Errorf("draft-07 tuple: %s %+v", legacy.Payload.Dialect, legacy.Arity)
	}
	if legacy.Payload.Validate([]any{"a", int64(1), "extra"}) == nil {
		t.Error("draft-07 additionalItems: false ignored")
	}
	if legacy.Location.Line != 7 || legacy.Location.Column != 9 {
		t.Errorf("JSON position: %+v", legacy.Location)
	}
	own := doc.Namespace("/legacy").Event(asyncapi.ClientToServer, "own dialect")
	if own.Payload.Dialect != asyncapi.Dialect07 || own.Arity != (asyncapi.Arity{Kind: asyncapi.ArityTuple, Min: 1, Max: 1}) || own.Payload.Validate([]any{"a", "b"}) == nil {
		t.Errorf("$schema draft-07: %s %+v", own.Payload.Dialect, own.Arity)
	}
	aai := doc.Namespace("/").Event(asyncapi.ServerToClient, "yaml aai")
	if aai.Payload.Dialect != asyncapi.Dialect2020 || aai.Arity != (asyncapi.Arity{Kind: asyncapi.ArityTuple, Min: 0, Max: -1}) {
		t.Errorf("aai tuple: %s %+v", aai.Payload.Dialect, aai.Arity)
	}
}

func TestConvertChat(t *testing.T) {
	d2 := load(t, filepath.Join(corpus, "valid", "chat-2.2.yaml"))
	d3 := load(t, filepath.Join(corpus, "valid", "chat-3.0.yaml"))
	for _, format := range []string{"yaml", "json"} {
		out, err := asyncapi.Convert(d2, asyncapi.ConvertOptions{To: "3.0", Format: format})
		if err != nil {
			t.Fatal(err)
		}
		conv, err := asyncapi.Parse(context.Background(), filepath.Join(corpus, "valid", "converted."+format), out, asyncapi.Config{})
		if err != nil {
			t.Fatalf("%s: converted document invalid: %v\n%s", format, err, out)
		}
		if conv.Version != "3.0.0" {
			t.Errorf("version %s", conv.Version)
		}
		if a, b := summary(conv), summary(d3); !slices.Equal(a, b) {
			t.Errorf("%s: converted chat differs from chat-3.0:\n%s\n--\n%s", format, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
		if conv.Namespace("/admin").Bindings.Query == nil {
			t.Errorf("%s: bindings lost", format)
		}
	}
	if _, err := asyncapi.Convert(d3, asyncapi.ConvertOptions{}); err == nil {
		t.Error("converting a 3.0 document should fail")
	}
	if _, err := asyncapi.Convert(d2, asyncapi.ConvertOptions{To: "4.0"}); err == nil {
		t.Error("--to 4.0 should fail")
	}
}

func TestConvertKeepsExtensionsAndSecurity(t *testing.T) {
	src := `asyncapi: 2.6.0
info: {title: t, version: "1"}
tags: [{name: chat}]
servers:
  prod:
    url: wss://chat.example.com/rt/socket.io
    protocol: wss
    security:
      - oauth: [write]
      - key: []
channels:
  /:
    x-handlers: {connect: h.connect}
    x-security: [{key: []}]
    publish:
      operationId: clientEvents
      message:
        oneOf:
          - name: hello
            messageId: hello
            payload: {type: string}
            x-handler: h.hello
            x-ack: {args: {type: boolean}}
          - name: bye
            x-handler: h.bye
    subscribe:
      message:
        name: news
        payload: {type: object}
components:
  securitySchemes:
    key: {type: httpApiKey, name: token, in: query}
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://example.com/token", scopes: {write: write things}}
`
	d2, err := asyncapi.Parse(context.Background(), "ext.yaml", []byte(src), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := asyncapi.Convert(d2, asyncapi.ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d3, err := asyncapi.Parse(context.Background(), "ext3.yaml", out, asyncapi.Config{})
	if err != nil {
		t.Fatalf("converted: %v\n%s", err, out)
	}
	if a, b := summary(d2), summary(d3); !slices.Equal(a, b) {
		t.Errorf("differ:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	ns := d3.Namespace("/")
	if ns.Handlers.Connect != "h.connect" || len(ns.Security) != 1 || ns.Security[0].Schemes[0].Name != "key" {
		t.Errorf("namespace extensions: %+v %+v", ns.Handlers, ns.Security)
	}
	if e := ns.Event(asyncapi.ClientToServer, "hello"); e.Handler != "h.hello" || e.Ack == nil || e.Ack.Source != "reply" {
		t.Errorf("hello: %+v", e)
	}
	if raw := d3.Raw.(map[string]any); raw["tags"] != nil || raw["info"].(map[string]any)["tags"] == nil {
		t.Error("root tags not moved into info")
	}
	s := d3.Servers[0]
	if s.Host != "chat.example.com" || s.Path != "/rt/socket.io/" || len(s.Security) != 2 || !slices.Equal(s.Security[0].Schemes[0].Scopes, []string{"write"}) {
		t.Errorf("server: %+v %+v", s, s.Security)
	}
	for _, want := range []string{"clientEvents_hello:", "clientEvents_bye:", "availableScopes:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	doc := load(t, filepath.Join(corpus, "valid", "external-refs-2.6.yaml"))
	e := doc.Namespace("/users").Event(asyncapi.ClientToServer, "create user")
	done := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				if _, _, err := doc.ResolveRef(e.Payload.Location.File, "external/common.yaml#/components/schemas/User"); err != nil {
					done <- err
					return
				}
				if err := e.Payload.Validate(map[string]any{"id": "1", "name": "n"}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestTraitsRepliesAnd31(t *testing.T) {
	src := `asyncapi: 3.1.0
info: {title: traits, version: "1"}
channels:
  chat:
    address: /chat
    messages:
      join:
        name: join
        payload: {type: string}
        traits:
          - $ref: "#/components/messageTraits/Handled"
operations:
  join:
    action: receive
    channel: {$ref: "#/channels/chat"}
    reply: {$ref: "#/components/replies/Ok"}
    traits:
      - $ref: "#/components/operationTraits/Summarised"
components:
  messageTraits:
    Handled:
      name: ignored because the message has a name
      summary: from the trait
      x-handler: handlers.join
  operationTraits:
    Summarised:
      summary: join the chat
  replies:
    Ok:
      messages:
        - $ref: "#/components/messages/Ok"
  messages:
    Ok:
      payload: {type: boolean}
`
	doc, err := asyncapi.Parse(context.Background(), "traits.yaml", []byte(src), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := doc.Namespace("/chat").Event(asyncapi.ClientToServer, "join")
	if e == nil {
		t.Fatalf("events: %v", summary(doc))
	}
	if e.Summary != "from the trait" || e.Handler != "handlers.join" {
		t.Errorf("message trait not applied: %+v", e)
	}
	if e.Ack == nil || e.Ack.Source != "reply" || e.Ack.Payload.Validate(true) != nil || e.Ack.Payload.Validate("x") == nil {
		t.Errorf("reply from components.replies: %+v", e.Ack)
	}

	src2 := `asyncapi: 2.4.0
info: {title: traits, version: "1"}
channels:
  /:
    publish:
      traits: [{$ref: "#/components/operationTraits/Op"}]
      message:
        name: own name
        payload: {type: string}
        traits: [{$ref: "#/components/messageTraits/Named"}]
components:
  operationTraits:
    Op: {operationId: fromTrait}
  messageTraits:
    Named: {name: trait name}
`
	doc2, err := asyncapi.Parse(context.Background(), "traits2.yaml", []byte(src2), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// 2.x traits are merged onto the object: the trait's fields win
	e2 := doc2.Namespace("/").Event(asyncapi.ClientToServer, "trait name")
	if e2 == nil || e2.Operation != "fromTrait" {
		t.Errorf("2.x traits: %v %+v", summary(doc2), e2)
	}
}

func TestAuthExtension(t *testing.T) {
	// $ref into another file, itself with a $ref inside that file.
	doc := load(t, filepath.Join(corpus, "valid", "external-refs-2.6.yaml"))
	auth := doc.Namespace("/users").Auth
	if auth == nil {
		t.Fatal("no Auth")
	}
	if !strings.HasSuffix(auth.Location.File, "external-refs-2.6.yaml") || auth.Location.Pointer != "/channels/~1users/x-auth" {
		t.Errorf("location %+v", auth.Location)
	}
	if err := auth.Validate(map[string]any{"token": "12345678"}); err != nil {
		t.Error(err)
	}
	if auth.Validate(map[string]any{"token": "short"}) == nil || auth.Validate(map[string]any{}) == nil {
		t.Error("invalid auth payload accepted")
	}

	// $ref into components of the main file, 3.x; a namespace without x-auth has none.
	src := `asyncapi: 3.0.0
info: {title: t, version: "1"}
channels:
  admin:
    address: /admin
    x-auth: {$ref: "#/components/schemas/Auth"}
  public:
    address: /
components:
  schemas:
    Auth:
      type: object
      properties: {token: {type: string}}
      required: [token]
`
	doc, err := asyncapi.Parse(context.Background(), "auth.yaml", []byte(src), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if a := doc.Namespace("/admin").Auth; a == nil || a.Validate(map[string]any{"token": "x"}) != nil || a.Validate(map[string]any{"token": 1}) == nil {
		t.Errorf("admin auth: %+v", a)
	}
	if a := doc.Namespace("/").Auth; a != nil {
		t.Errorf("public auth: %+v", a)
	}

	// Not an object schema: an error finding at the schema (through its $ref).
	for _, tc := range []struct {
		name, xauth string
		line, col   int
	}{
		{"string", "{type: string}", 6, 5},
		{"no type", "{properties: {token: {type: string}}}", 6, 5},
		{"boolean", "true", 6, 13},
		{"ref", `{$ref: "#/components/schemas/S"}`, 9, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `asyncapi: 3.0.0
info: {title: t, version: "1"}
channels:
  admin:
    address: /admin
    x-auth: ` + tc.xauth + `
components:
  schemas:
    S: {type: array}
`
			_, err := asyncapi.Parse(context.Background(), "auth.yaml", []byte(src), asyncapi.Config{})
			var inv *asyncapi.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v", err)
			}
			found := false
			for _, f := range inv.Findings {
				if f.Code == "auth-not-object" {
					found = true
					if f.Severity != asyncapi.SeverityError || f.Line != tc.line || f.Column != tc.col {
						t.Errorf("finding %s", f)
					}
				}
			}
			if !found {
				t.Errorf("no auth-not-object finding: %v", inv.Findings)
			}
		})
	}
}

func TestOwnSecurity(t *testing.T) {
	src := `asyncapi: 2.6.0
info: {title: t, version: "1"}
servers:
  a: {url: "a.example.com", protocol: wss}
  b: {url: "b.example.com", protocol: wss, security: [{key: []}]}
channels:
  /inherits: {}
  /own:
    x-security: [{bearer: []}]
  /open:
    x-security: []
components:
  securitySchemes:
    key: {type: httpApiKey, name: k, in: query}
    bearer: {type: http, scheme: bearer}
`
	doc, err := asyncapi.Parse(context.Background(), "sec.yaml", []byte(src), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	inh, own, open := doc.Namespace("/inherits"), doc.Namespace("/own"), doc.Namespace("/open")
	if inh.OwnSecurity || len(inh.Security) != 1 || inh.Security[0].Schemes[0].Name != "key" {
		t.Errorf("inherits: own=%t %+v", inh.OwnSecurity, inh.Security)
	}
	if !own.OwnSecurity || len(own.Security) != 1 || own.Security[0].Schemes[0].Name != "bearer" {
		t.Errorf("own: own=%t %+v", own.OwnSecurity, own.Security)
	}
	if !open.OwnSecurity || len(open.Security) != 0 {
		t.Errorf("open: own=%t %+v", open.OwnSecurity, open.Security)
	}
}
