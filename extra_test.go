package sockspec_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

const extraDoc = `
asyncapi: 2.6.0
info: {title: extra, version: 1.0.0}
channels:
  /:
    x-auth:
      $ref: "#/components/schemas/Auth"
    publish:
      message:
        oneOf:
          - name: upload
            payload:
              type: object
              properties:
                name: {type: string}
                data: {type: string, minLength: 4}
              required: [name, data]
            x-ack: {args: {type: integer}}
          - name: legacy
            schemaFormat: application/schema+json;version=draft-07
            payload:
              type: array
              items: [{type: string}, {type: boolean}]
              additionalItems: false
    subscribe:
      message:
        name: tick
        payload: {type: integer}
  /post:
    bindings:
      ws:
        method: POST
    publish:
      message:
        name: noop
  /keys:
    x-security:
      - hdrKey: []
      - cookieKey: []
    publish:
      message:
        name: who
        x-ack: {args: {type: string}}
  /oauth:
    x-security:
      - oidc: [read, write]
    publish:
      message:
        name: scopes
        x-ack: {args: {type: array, items: {type: string}}}
components:
  securitySchemes:
    hdrKey: {type: httpApiKey, in: header, name: X-Api-Key}
    cookieKey: {type: httpApiKey, in: cookie, name: session}
    oidc:
      type: openIdConnect
      openIdConnectUrl: https://example.com/.well-known/openid-configuration
      x-tokenInfoFunc: auth.oidc
  schemas:
    Auth:
      type: object
      properties:
        user: {type: string}
      required: [user]
`

func newExtra(t *testing.T, cfg sockspec.Config) *fixture {
	t.Helper()
	key := func(want, who string) sockspec.SecurityFunc {
		return func(_ context.Context, c sockspec.Credentials) (any, error) {
			if c.Token != want {
				return nil, errors.New("bad key")
			}
			return who + ":" + c.Scheme.Name, nil
		}
	}
	if cfg.Security == nil {
		cfg.Security = map[string]sockspec.SecurityFunc{"hdrKey": key("h1", "header"), "cookieKey": key("c1", "cookie")}
	}
	doc, err := asyncapi.Parse(context.Background(), "extra.yaml", []byte(extraDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sockspec.New(doc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv, errs: make(chan error, 16), events: make(chan string, 16)}
	srv.Namespace("/").On("upload", func(_ context.Context, _ *socketio.Socket, a socketio.Args) ([]any, error) {
		v, _ := a.Value(0)
		m := v.(map[string]any)
		return []any{len(m["data"].([]byte))}, nil
	})
	srv.Namespace("/").On("legacy", func(context.Context, *socketio.Socket, socketio.Args) ([]any, error) { return nil, nil })
	srv.Namespace("/").OnError(func(_ context.Context, _ *socketio.Socket, err error) { f.errs <- err })
	srv.Namespace("/keys").On("who", func(ctx context.Context, _ *socketio.Socket, _ socketio.Args) ([]any, error) {
		p, _ := sockspec.PrincipalFrom(ctx)
		return []any{p}, nil
	})
	srv.Namespace("/post").On("noop", func(context.Context, *socketio.Socket, socketio.Args) ([]any, error) { return nil, nil })
	srv.Namespace("/oauth").On("scopes", func(ctx context.Context, _ *socketio.Socket, _ socketio.Args) ([]any, error) {
		p, _ := sockspec.PrincipalFrom(ctx)
		return []any{p}, nil
	})
	srv.HandleNamed("auth.oidc", sockspec.SecurityFunc(func(_ context.Context, c sockspec.Credentials) (any, error) {
		if c.Token != "tok" {
			return nil, errors.New("bad token")
		}
		return c.Scopes, nil
	}))
	f.hs = serve(t, srv)
	return f
}

func TestAuthPayloadByRef(t *testing.T) {
	f := newExtra(t, sockspec.Config{})
	_, err := dial(t, f.hs.URL, "/", dialOpts{})
	if ce, data := connectErr(t, err); data["kind"] != "auth" || !strings.Contains(ce.Message, `"user"`) ||
		!strings.HasSuffix(data["schemaPath"].(string), "extra.yaml#/components/schemas/Auth/required") {
		t.Errorf("no auth payload: %q %v", ce.Message, data)
	}
	mustDial(t, f.hs.URL, "/", dialOpts{auth: map[string]any{"user": "u"}})
	// SkipAuth turns the check off
	g := newExtra(t, sockspec.Config{Validation: sockspec.Validation{SkipAuth: true}})
	mustDial(t, g.hs.URL, "/", dialOpts{})
}

func TestBinaryArgumentsValidated(t *testing.T) {
	f := newExtra(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{auth: map[string]any{"user": "u"}})
	var n int
	if err := ack(t, s, "upload", map[string]any{"name": "f", "data": []byte{1, 2, 3, 4, 5}}).Unmarshal(0, &n); err != nil || n != 5 {
		t.Errorf("binary upload ack = %d %v", n, err)
	}
	// one byte is 4 base64 characters: valid; an empty attachment is "" and too short
	w := errorAck(t, ack(t, s, "upload", map[string]any{"name": "f", "data": []byte{}}))
	if w.Error.InstancePath != "/0/data" {
		t.Errorf("empty binary: %+v", w.Error)
	}
	<-f.errs
}

func TestDraft07Tuple(t *testing.T) {
	f := newExtra(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{auth: map[string]any{"user": "u"}})
	if a := ack(t, s, "legacy", "x", true); a.Len() != 0 {
		t.Errorf("valid draft-07 tuple: %s", a.Raw(0))
	}
	w := errorAck(t, ack(t, s, "legacy", "x", "y"))
	if w.Error.InstancePath != "/1" {
		t.Errorf("wrong draft-07 tuple item: %+v", w.Error)
	}
	<-f.errs
	w = errorAck(t, ack(t, s, "legacy", "x", true, 3))
	if w.Error.Kind != "arity" {
		t.Errorf("draft-07 tuple too long: %+v", w.Error)
	}
	<-f.errs
}

func TestMethodBinding(t *testing.T) {
	f := newExtra(t, sockspec.Config{})
	_, err := dial(t, f.hs.URL, "/post", dialOpts{auth: map[string]any{"user": "u"}})
	if ce, data := connectErr(t, err); data["kind"] != "method" || !strings.Contains(ce.Message, "POST") {
		t.Errorf("GET handshake on a POST namespace: %q %v", ce.Message, data)
	}
	g := newExtra(t, sockspec.Config{Validation: sockspec.Validation{SkipHandshake: true}})
	mustDial(t, g.hs.URL, "/post", dialOpts{})
}

func TestOpenIDConnectScopesAndNamedSecurity(t *testing.T) {
	f := newExtra(t, sockspec.Config{})
	_, err := dial(t, f.hs.URL, "/oauth", dialOpts{})
	if _, data := connectErr(t, err); data["code"] != "unauthorized" {
		t.Errorf("no token: %v", data)
	}
	s := mustDial(t, f.hs.URL, "/oauth", dialOpts{header: http.Header{"Authorization": {"bearer tok"}}})
	var scopes []string
	if err := ack(t, s, "scopes").Unmarshal(0, &scopes); err != nil || !slices.Equal(scopes, []string{"read", "write"}) {
		t.Errorf("scopes = %v %v", scopes, err)
	}
}

func TestEmitToAndPathOverride(t *testing.T) {
	f := newExtra(t, sockspec.Config{Path: "/rt/io"})
	if f.srv.Path() != "/rt/io/" {
		t.Fatalf("path %q", f.srv.Path())
	}
	if code := httptestRecorder(f.srv, "/rt/docs/asyncapi.yaml"); code != 200 {
		t.Errorf("docs under the override: %d", code)
	}
	a := mustDial(t, f.hs.URL, "/", dialOpts{path: "/rt/io/", auth: map[string]any{"user": "a"}})
	b := mustDial(t, f.hs.URL, "/", dialOpts{path: "/rt/io/", tr: []client.Transport{client.Polling}, auth: map[string]any{"user": "b"}})
	got := make(chan string, 4)
	b.On("tick", func(_ context.Context, args client.Args) []any { got <- "b " + string(args.Raw(0)); return nil })
	a.On("tick", func(_ context.Context, args client.Args) []any { got <- "a " + string(args.Raw(0)); return nil })
	root := f.srv.Namespace("/")
	var sa *socketio.Socket
	for _, s := range root.SocketIO().Sockets() {
		if string(s.ID()) == a.ID() {
			sa = s
		}
	}
	ctx := t.Context()
	tick := sockspec.NewEvent[int, sockspec.NoAck]("tick")
	var ve *sockspec.ValidationError
	if err := root.EmitTo(ctx, sa.Broadcast(), "tick", "nine"); !errors.As(err, &ve) {
		t.Errorf("invalid broadcast: %v", err)
	}
	if err := root.EmitTo(ctx, sa.Broadcast(), "tick", 9); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "b 9" {
		t.Errorf("broadcast excluding a: %q", g)
	}
	if err := f.srv.Emit(ctx, sa.Broadcast(), "tick", "x"); !errors.As(err, &ve) {
		t.Errorf("invalid Server.Emit broadcast: %v", err)
	}
	if err := f.srv.Emit(ctx, root.SocketIO().Except(socketio.Room(sa.ID())), "tick", 8); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "b 8" {
		t.Errorf("Server.Emit to a room selection: %q", g)
	}
	if err := tick.Emit(ctx, sa.Broadcast(), 7); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "b 7" {
		t.Errorf("typed Emit to a room selection: %q", g)
	}
	if err := f.srv.Namespace("/post").EmitTo(ctx, sa, "tick", 1); err == nil {
		t.Error("EmitTo accepted a socket of another namespace")
	}
	if err := tick.EmitIn(ctx, root, sa.Broadcast(), 10); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "b 10" {
		t.Errorf("typed broadcast: %q", g)
	}
	if err := tick.Emit(ctx, sa, 11); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "a 11" {
		t.Errorf("typed emit to a socket: %q", g)
	}
}

func TestEmitBeforeStart(t *testing.T) {
	doc, err := asyncapi.Parse(context.Background(), "extra.yaml", []byte(extraDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sockspec.New(doc, sockspec.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Namespace("/").Emit(t.Context(), "tick", 1); err == nil {
		t.Error("emit before Start succeeded")
	}
}

func TestAPIKeysInHeaderAndCookie(t *testing.T) {
	f := newExtra(t, sockspec.Config{})
	for _, c := range []struct {
		h   http.Header
		who string
	}{
		{http.Header{"x-api-key": {"h1"}}, "header:hdrKey"},
		{http.Header{"Cookie": {"a=b; session=c1"}}, "cookie:cookieKey"},
		{http.Header{"X-Api-Key": {"wrong"}, "Cookie": {"session=c1"}}, "cookie:cookieKey"},
		{http.Header{"X-Api-Key": {"wrong"}}, ""},
		{http.Header{"Cookie": {"session=wrong"}}, ""},
	} {
		s, err := dial(t, f.hs.URL, "/keys", dialOpts{header: c.h})
		if c.who == "" {
			if _, data := connectErr(t, err); data["code"] != "unauthorized" {
				t.Errorf("%v: %v", c.h, data)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.h, err)
		}
		var who string
		if err := ack(t, s, "who").Unmarshal(0, &who); err != nil || who != c.who {
			t.Errorf("%v: who = %q %v", c.h, who, err)
		}
	}
}

func TestTypedHandlerMismatch(t *testing.T) {
	doc, err := asyncapi.Parse(context.Background(), "extra.yaml", []byte(extraDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sockspec.New(doc, sockspec.Config{Strictness: sockspec.Strict, Security: map[string]sockspec.SecurityFunc{
		"hdrKey": nil, "cookieKey": nil,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	root := srv.Namespace("/")
	sockspec.NewEvent[string, sockspec.NoAck]("legacy").Handle(root, func(context.Context, *socketio.Socket, string) (sockspec.NoAck, error) {
		return sockspec.NoAck{}, nil
	})
	sockspec.NewEvent[pair, sockspec.NoAck]("upload").Handle(root, func(context.Context, *socketio.Socket, pair) (sockspec.NoAck, error) {
		return sockspec.NoAck{}, nil
	})
	sockspec.NewEvent[string, int]("noop").Handle(srv.Namespace("/post"), func(context.Context, *socketio.Socket, string) (int, error) {
		return 0, nil
	})
	err = srv.Start()
	for _, want := range []string{
		`event "legacy": typed handler takes one value, but the payload is a tuple`,
		`event "upload": typed handler takes a Tuple, but the payload is not a tuple`,
		`event "upload": typed handler returns no ack (NoAck), but the event's ack has a payload`,
		`event "noop": typed handler takes a payload, but the event has none`,
		`event "noop": typed handler returns an ack value, but the event documents no ack payload`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Start error lacks %q: %v", want, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := sockspec.Load("testdata/asyncapi/invalid/duplicate-event-2.6.yaml", sockspec.Config{})
	var inv *asyncapi.InvalidError
	if !errors.As(err, &inv) || len(inv.Findings) == 0 {
		t.Errorf("invalid document: %v", err)
	}
	if _, err := sockspec.Load("testdata/sockspec/missing.yaml", sockspec.Config{}); err == nil {
		t.Error("missing file loaded")
	}
	if _, err := sockspec.New(nil, sockspec.Config{}); err == nil {
		t.Error("New(nil) succeeded")
	}
}

func TestBrokenAuthSchemaIsRefused(t *testing.T) {
	for _, xauth := range []string{`{type: 5}`, `{type: string}`, `{type: object, minProperties: x}`} {
		bad := strings.Replace(extraDoc, `$ref: "#/components/schemas/Auth"`, xauth, 1)
		_, err := asyncapi.Parse(context.Background(), "extra.yaml", []byte(bad), asyncapi.Config{})
		var inv *asyncapi.InvalidError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), "x-auth") {
			t.Errorf("x-auth %s: Parse = %v, want an x-auth finding", xauth, err)
		}
	}
	// A document built or altered by hand whose x-auth has no compiled schema: its auth
	// payloads would go unchecked, so Start fails even when Lenient.
	doc, err := asyncapi.Parse(context.Background(), "extra.yaml", []byte(extraDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range doc.Namespaces {
		if ns.Auth != nil {
			ns.Auth = nil
		}
	}
	srv, err := sockspec.New(doc, sockspec.Config{Strictness: sockspec.Lenient})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Start(); err == nil || !strings.Contains(err.Error(), "x-auth") {
		t.Errorf("Start = %v, want a fatal x-auth error even when Lenient", err)
	}
}

func TestNamespaceMiddleware(t *testing.T) {
	doc, err := asyncapi.Parse(context.Background(), "extra.yaml", []byte(extraDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sockspec.New(doc, sockspec.Config{Strictness: sockspec.Lenient, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	connected := make(chan string, 1)
	root := srv.Namespace("/")
	root.Use(func(_ context.Context, h *socketio.Handshake) error {
		switch h.Query.Get("mw") {
		case "deny":
			return sockspec.NewError(sockspec.CodeForbidden, "closed for maintenance")
		case "crash":
			return errors.New("database down")
		}
		h.Set("mw", "passed")
		return nil
	})
	root.OnConnect(func(_ context.Context, s *socketio.Socket) { connected <- s.Value("mw").(string) })
	hs := serve(t, srv)
	auth := map[string]any{"user": "u"}
	_, err = dial(t, hs.URL, "/", dialOpts{query: url.Values{"mw": {"deny"}}, auth: auth})
	if ce, data := connectErr(t, err); ce.Message != "closed for maintenance" || data["code"] != "forbidden" {
		t.Errorf("deny: %q %v", ce.Message, data)
	}
	_, err = dial(t, hs.URL, "/", dialOpts{query: url.Values{"mw": {"crash"}}, auth: auth})
	if ce, data := connectErr(t, err); ce.Message != "internal error" || data["code"] != "internal" {
		t.Errorf("crash: %q %v (must not leak)", ce.Message, data)
	}
	// the auth payload is checked before the middleware runs
	_, err = dial(t, hs.URL, "/", dialOpts{})
	if _, data := connectErr(t, err); data["kind"] != "auth" {
		t.Errorf("auth before middleware: %v", data)
	}
	mustDial(t, hs.URL, "/", dialOpts{auth: auth})
	if v := <-connected; v != "passed" {
		t.Errorf("connect hook saw %q", v)
	}
}
