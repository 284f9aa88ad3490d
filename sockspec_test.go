package sockspec_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

func TestStartReportsEveryProblem(t *testing.T) {
	srv, err := sockspec.Load(apiFile, sockspec.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Namespace("/").On("nope", func(context.Context, *socketio.Socket, socketio.Args) ([]any, error) { return nil, nil })
	srv.Namespace("/ghost").On("x", func(context.Context, *socketio.Socket, socketio.Args) ([]any, error) { return nil, nil })
	srv.HandleNamed("not.in.doc", func(context.Context, *socketio.Socket) {})
	err = srv.Start()
	if err == nil {
		t.Fatal("Start succeeded without handlers")
	}
	for _, want := range []string{
		`namespace "/" event "echo" has no handler`,
		`namespace "/" event "add" has no handler`,
		`handler for event "nope", which is not in the document`,
		`namespace "/ghost" has handlers but is not in the document`,
		`handler name "not.in.doc" (HandleNamed) is not used by the document`,
		`x-handlers error "root.error" is not registered`,
		`event "hello" has no handler (x-handler "named.hello" is not registered)`,
		`security scheme "bearer" has no SecurityFunc`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start error lacks %q:\n%v", want, err)
		}
	}
	if err2 := srv.Start(); err2 != err {
		t.Errorf("second Start = %v, want the same error", err2)
	}
	// a failed server answers 500 and registering afterwards panics
	rec := httptestRecorder(srv, "/socket.io/?EIO=4&transport=polling")
	if rec != http.StatusInternalServerError {
		t.Errorf("status after failed Start = %d", rec)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering after Start did not panic")
		}
	}()
	srv.Namespace("/").On("late", func(context.Context, *socketio.Socket, socketio.Args) ([]any, error) { return nil, nil })
}

func TestStrictnessWarnOnly(t *testing.T) {
	srv, err := sockspec.Load(apiFile, sockspec.Config{Strictness: sockspec.WarnOnly, Security: map[string]sockspec.SecurityFunc{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := serve(t, srv)
	s := mustDial(t, hs.URL, "/", dialOpts{})
	// documented but unhandled: validated, then acked with no arguments
	if a := ack(t, s, "echo", map[string]any{"text": "x"}); a.Len() != 0 {
		t.Errorf("unhandled event ack has %d args", a.Len())
	}
	w := errorAck(t, ack(t, s, "echo", map[string]any{"text": 1}))
	if w.Error.Code != "invalid_payload" {
		t.Errorf("code = %q", w.Error.Code)
	}
	// a namespace whose scheme has no function lets nobody in
	if _, err := dial(t, hs.URL, "/secure", dialOpts{header: http.Header{"Authorization": {"Bearer good"}}}); err == nil {
		t.Error("connected to /secure although its schemes have no function")
	}
}

func TestTypedEchoAndTuple(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	for _, tr := range [][]client.Transport{{client.WebSocket}, {client.Polling}, {client.Polling, client.WebSocket}} {
		t.Run(fmt.Sprint(tr), func(t *testing.T) { typedEcho(t, f, tr) })
	}
}

func typedEcho(t *testing.T, f *fixture, tr []client.Transport) {
	s := mustDial(t, f.hs.URL, "/", dialOpts{tr: tr})
	w := errorAck(t, ack(t, s, "echo", map[string]any{"text": ""}))
	if w.Error.InstancePath != "/0/text" {
		t.Errorf("invalid echo over %v: %+v", tr, w.Error)
	}
	<-f.errs
	var got text
	if err := ack(t, s, "echo", map[string]any{"text": "hi"}).Unmarshal(0, &got); err != nil || got.Text != "hi" {
		t.Fatalf("echo ack = %+v, %v", got, err)
	}
	var sum int
	if err := ack(t, s, "add", 2, 40).Unmarshal(0, &sum); err != nil || sum != 42 {
		t.Fatalf("add ack = %d, %v", sum, err)
	}
	if a := ack(t, s, "ping"); a.Len() != 0 {
		t.Errorf("ping ack has %d args", a.Len())
	}
}

func TestInvalidIncoming(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	other := mustDial(t, f.hs.URL, "/", dialOpts{tr: []client.Transport{client.Polling}})
	cases := []struct {
		name      string
		event     string
		args      []any
		code      string
		kind      string
		path      string
		schemaEnd string
	}{
		{"wrong type", "echo", []any{map[string]any{"text": 5}}, "invalid_payload", "payload", "/0/text", "api.yaml#/components/schemas/Text/properties/text/type"},
		{"missing property", "echo", []any{map[string]any{}}, "invalid_payload", "payload", "/0", "api.yaml#/components/schemas/Text/required"},
		{"extra property", "echo", []any{map[string]any{"text": "a", "x": 1}}, "invalid_payload", "payload", "/0", "api.yaml#/components/schemas/Text/additionalProperties"},
		{"not an object", "echo", []any{"str"}, "invalid_payload", "payload", "/0", "api.yaml#/components/schemas/Text/type"},
		{"too many args", "echo", []any{map[string]any{"text": "a"}, 2}, "invalid_payload", "arity", "", ""},
		{"too few args", "echo", nil, "invalid_payload", "arity", "", ""},
		{"tuple too short", "add", []any{1}, "invalid_payload", "arity", "", ""},
		{"tuple too long", "add", []any{1, 2, 3}, "invalid_payload", "arity", "", ""},
		{"tuple wrong type", "add", []any{1, "2"}, "invalid_payload", "payload", "/1", "#/components/messages/Add/payload/prefixItems/1/type"},
		{"args on no-payload event", "ping", []any{1}, "invalid_payload", "arity", "", ""},
		{"unknown event", "nope", []any{1}, "unknown_event", "unknown_event", "", ""},
		{"server-to-client event", "notice", []any{map[string]any{"msg": "x"}}, "unknown_event", "unknown_event", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := errorAck(t, ack(t, s, c.event, c.args...))
			if w.Error.Code != c.code || w.Error.Kind != c.kind || w.Error.InstancePath != c.path || w.Error.Message == "" {
				t.Errorf("error ack = %+v", w.Error)
			}
			if !strings.HasSuffix(w.Error.SchemaPath, c.schemaEnd) {
				t.Errorf("schemaPath = %q, want suffix %q", w.Error.SchemaPath, c.schemaEnd)
			}
			err := f.nextErr(t)
			var ve *sockspec.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error hook got %T %v", err, err)
			}
			if ve.Namespace != "/" || ve.Event != c.event || ve.Kind != c.kind || ve.InstancePath != c.path || ve.Direction != asyncapi.ClientToServer {
				t.Errorf("ValidationError = %+v", ve)
			}
			if sockspec.CodeOf(err).String() != c.code {
				t.Errorf("CodeOf = %v", sockspec.CodeOf(err))
			}
			// the connection stays usable, and others do not notice
			var got text
			if err := ack(t, s, "echo", map[string]any{"text": "still"}).Unmarshal(0, &got); err != nil || got.Text != "still" {
				t.Errorf("echo after invalid input = %+v, %v", got, err)
			}
			if err := ack(t, other, "echo", map[string]any{"text": "other"}).Unmarshal(0, &got); err != nil || got.Text != "other" {
				t.Errorf("other connection = %+v, %v", got, err)
			}
		})
	}
	if !s.Connected() || !other.Connected() {
		t.Error("a connection was dropped")
	}
}

func TestInvalidWithoutAckStillCallsErrorHook(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	if err := s.Emit(t.Context(), "echo", 42); err != nil {
		t.Fatal(err)
	}
	var ve *sockspec.ValidationError
	if err := f.nextErr(t); !errors.As(err, &ve) || ve.Event != "echo" {
		t.Fatalf("error hook got %v", err)
	}
}

func TestHandlerErrors(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	w := errorAck(t, ack(t, s, "fail", "user"))
	if w.Error.Code != "forbidden" || w.Error.Message != "not for you" {
		t.Errorf("*Error ack = %+v", w.Error)
	}
	if err := f.nextErr(t); sockspec.CodeOf(err) != sockspec.CodeForbidden {
		t.Errorf("hook got %v", err)
	}
	w = errorAck(t, ack(t, s, "fail", "other"))
	if w.Error.Code != "internal" || w.Error.Message != "internal error" {
		t.Errorf("plain error ack = %+v (must not leak)", w.Error)
	}
	if err := f.nextErr(t); !strings.Contains(err.Error(), "secret database failure") {
		t.Errorf("hook got %v", err)
	}
	if a := ack(t, s, "fail", "acker"); a.Len() != 2 || string(a.Raw(0)) != `"custom"` {
		t.Errorf("ErrorAcker ack = %d args", a.Len())
	}
	f.nextErr(t)
	w = errorAck(t, ack(t, s, "fail", "panic"))
	if w.Error.Code != "internal" {
		t.Errorf("panic ack = %+v", w.Error)
	}
	f.nextErr(t)
	// an ack the document forbids is replaced by an internal error ack
	w = errorAck(t, ack(t, s, "echo", map[string]any{"text": "bad-ack"}))
	if w.Error.Code != "internal" {
		t.Errorf("invalid ack = %+v", w.Error)
	}
	var ve *sockspec.ValidationError
	if err := f.nextErr(t); !errors.As(err, &ve) || ve.Kind != "ack" || ve.Direction != asyncapi.ServerToClient || ve.InstancePath != "/0/text" {
		t.Errorf("hook got %#v", err)
	}
	if a := ack(t, s, "ping"); a.Len() != 0 {
		t.Error("connection unusable after handler errors")
	}
}

func TestUnknownEventsDropped(t *testing.T) {
	f := newFixture(t, sockspec.Config{Validation: sockspec.Validation{UnknownEvents: sockspec.DropUnknown}})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	if a := ack(t, s, "nope", 1); a.Len() != 0 {
		t.Errorf("dropped event ack = %s", a.Raw(0))
	}
	select {
	case err := <-f.errs:
		t.Errorf("error hook called for a dropped event: %v", err)
	default:
	}
}

func TestValidationSwitchedOff(t *testing.T) {
	f := newFixture(t, sockspec.Config{Validation: sockspec.Validation{SkipIncoming: true, SkipAcks: true}})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	// wrong type reaches the typed decoder: a decode error, not a schema error
	w := errorAck(t, ack(t, s, "echo", map[string]any{"text": 5}))
	if w.Error.Kind != "decode" {
		t.Errorf("ack = %+v", w.Error)
	}
	f.nextErr(t)
	// extra property passes (schema not checked)
	var got text
	if err := ack(t, s, "echo", map[string]any{"text": "a", "x": 1}).Unmarshal(0, &got); err != nil || got.Text != "a" {
		t.Errorf("unchecked echo = %+v %v", got, err)
	}
	// invalid ack passes
	if err := ack(t, s, "echo", map[string]any{"text": "bad-ack"}).Unmarshal(0, &got); err != nil || got.Text != "" {
		t.Errorf("unchecked ack = %+v %v", got, err)
	}
}

func connectErr(t *testing.T, err error) (*client.ConnectError, map[string]any) {
	t.Helper()
	var ce *client.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("want *client.ConnectError, got %v", err)
	}
	var data map[string]any
	if len(ce.Data) > 0 {
		if err := json.Unmarshal(ce.Data, &data); err != nil {
			t.Fatal(err)
		}
	}
	return ce, data
}

func secureOpts(q string, h http.Header, auth any) dialOpts {
	v, _ := url.ParseQuery(q)
	if h == nil {
		h = http.Header{}
	}
	if h.Get("X-Tenant") == "" {
		h.Set("X-Tenant", "acme")
	}
	if auth == nil {
		auth = map[string]any{"client": "test"}
	}
	return dialOpts{query: v, header: h, auth: auth}
}

func TestHandshakeValidation(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	bearer := http.Header{"Authorization": {"Bearer good"}}
	cases := []struct {
		name  string
		opts  dialOpts
		kind  string
		path  string
		inMsg string
	}{
		{"missing query", secureOpts("", bearer.Clone(), nil), "query", "", `"limit"`},
		{"query not integer", secureOpts("limit=abc", bearer.Clone(), nil), "query", "/limit", "integer"},
		{"query below minimum", secureOpts("limit=0", bearer.Clone(), nil), "query", "/limit", "at least 1"},
		{"query bool", secureOpts("limit=2&flag=maybe", bearer.Clone(), nil), "query", "/flag", "boolean"},
		{"header missing", dialOpts{query: url.Values{"limit": {"1"}}, header: bearer.Clone(), auth: map[string]any{"client": "x"}}, "headers", "", "x-tenant"},
		{"header pattern", secureOpts("limit=1", http.Header{"Authorization": {"Bearer good"}, "X-Tenant": {"ACME1"}}, nil), "headers", "/x-tenant", ""},
		{"auth missing field", secureOpts("limit=1", bearer.Clone(), map[string]any{"other": 1}), "auth", "", `"client"`},
		{"auth wrong type", secureOpts("limit=1", bearer.Clone(), map[string]any{"client": 7}), "auth", "/client", "string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := dial(t, f.hs.URL, "/secure", c.opts)
			ce, data := connectErr(t, err)
			if data["code"] != "invalid_handshake" || data["kind"] != c.kind || (data["instancePath"] != nil && data["instancePath"] != c.path) || (c.path != "" && data["instancePath"] != c.path) {
				t.Errorf("CONNECT_ERROR data = %v", data)
			}
			if !strings.HasPrefix(ce.Message, "invalid handshake: "+c.kind) || !strings.Contains(ce.Message, c.inMsg) {
				t.Errorf("message = %q", ce.Message)
			}
		})
	}
	// valid: coerced integer, repeated array parameter, boolean, header in any case
	s := mustDial(t, f.hs.URL, "/secure", secureOpts("limit=3&tags=a&tags=b&flag=true", bearer.Clone(), nil))
	var who string
	if err := ack(t, s, "whoami").Unmarshal(0, &who); err != nil || who != "alice" {
		t.Errorf("whoami = %q, %v", who, err)
	}
}

func TestSecurity(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:pw"))
	cases := []struct {
		name    string
		query   string
		header  http.Header
		auth    any
		who     string
		refused string
	}{
		{"bearer header", "limit=1", http.Header{"Authorization": {"Bearer good"}}, nil, "alice", ""},
		{"bearer from auth payload", "limit=1", nil, map[string]any{"client": "c", "token": "good"}, "alice", ""},
		{"bad bearer", "limit=1", http.Header{"Authorization": {"Bearer nope"}}, nil, "", "unauthorized"},
		{"no credentials", "limit=1", nil, nil, "", "unauthorized"},
		{"forbidden by func", "limit=1", http.Header{"Authorization": {"Bearer banned"}}, nil, "", "forbidden"},
		{"api key alone (AND fails)", "limit=1&api_key=k1", nil, nil, "", "unauthorized"},
		{"api key and basic", "limit=1&api_key=k1", http.Header{"Authorization": {basic}}, nil, "key-user", ""},
		{"api key and wrong basic", "limit=1&api_key=k1", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("bob:no"))}}, nil, "", "unauthorized"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := dial(t, f.hs.URL, "/secure", secureOpts(c.query, c.header, c.auth))
			if c.refused != "" {
				ce, data := connectErr(t, err)
				if data["code"] != c.refused {
					t.Errorf("data = %v", data)
				}
				if c.refused == "unauthorized" && ce.Message != "unauthorized" {
					t.Errorf("message = %q (must leak nothing)", ce.Message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var who string
			if err := ack(t, s, "whoami").Unmarshal(0, &who); err != nil || who != c.who {
				t.Errorf("whoami = %q, %v", who, err)
			}
		})
	}
}

func TestServerSelectionAndServerSecurity(t *testing.T) {
	if _, err := sockspec.Load(apiFile, sockspec.Config{Server: "nope"}); err == nil || !strings.Contains(err.Error(), "main, alt") {
		t.Errorf("unknown server: %v", err)
	}
	f := newFixture(t, sockspec.Config{Server: "alt"})
	if f.srv.Path() != "/api/socket.io/" {
		t.Fatalf("path = %q", f.srv.Path())
	}
	// "/" has no x-security: the selected server's security applies
	_, err := dial(t, f.hs.URL, "/", dialOpts{path: "/api/socket.io/"})
	if _, data := connectErr(t, err); data["code"] != "unauthorized" {
		t.Errorf("data = %v", data)
	}
	s := mustDial(t, f.hs.URL, "/", dialOpts{path: "/api/socket.io/", header: http.Header{"Authorization": {"Bearer good"}}})
	if a := ack(t, s, "ping"); a.Len() != 0 {
		t.Error("ping failed")
	}
	if code := httptestRecorder(f.srv, "/api/docs/asyncapi.json"); code != 200 {
		t.Errorf("docs status %d", code)
	}
}

func TestNamedHandlersAndHooks(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/named", dialOpts{})
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-f.events:
			if got != want {
				t.Errorf("hook %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("hook %q not called", want)
		}
	}
	expect("connect")
	var got string
	if err := ack(t, s, "hello", "bob").Unmarshal(0, &got); err != nil || got != "hello bob" {
		t.Errorf("hello = %q %v", got, err)
	}
	s.Disconnect()
	expect("disconnect client namespace disconnect")
}

func TestEmitValidation(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	got := make(chan string, 8)
	s.OnAny(func(_ context.Context, event string, args client.Args) {
		var raw []string
		for i := range args.Len() {
			raw = append(raw, string(args.Raw(i)))
		}
		got <- event + " " + strings.Join(raw, ",")
	})
	ns := f.srv.Namespace("/").SocketIO()
	ctx := t.Context()
	var ve *sockspec.ValidationError
	if err := f.srv.Emit(ctx, ns, "notice", map[string]any{"msg": 1}); !errors.As(err, &ve) || ve.Direction != asyncapi.ServerToClient || ve.InstancePath != "/0/msg" {
		t.Errorf("invalid emit: %v", err)
	}
	if err := f.srv.Emit(ctx, ns, "undocumented", 1); !errors.As(err, &ve) || ve.Kind != "unknown_event" {
		t.Errorf("undocumented emit: %v", err)
	}
	if err := f.srv.Emit(ctx, ns, "pair", "a", 1, 2); !errors.As(err, &ve) || ve.Kind != "arity" {
		t.Errorf("too many args: %v", err)
	}
	if err := f.srv.Namespace("/").Emit(ctx, "notice", map[string]any{"msg": "hi"}); err != nil {
		t.Fatal(err)
	}
	type pairT struct {
		sockspec.Tuple
		Name string
		N    int
	}
	pairEv := sockspec.NewEvent[pairT, sockspec.NoAck]("pair")
	sock := onlySocket(t, ns)
	if err := pairEv.Emit(ctx, sock, pairT{Name: "x", N: 3}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`notice {"msg":"hi"}`, `pair "x",3`} {
		select {
		case g := <-got:
			if g != want {
				t.Errorf("received %q, want %q (invalid emits must send nothing)", g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%q not received", want)
		}
	}
}

func TestEmitWithAckValidation(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	reply := make(chan any, 1)
	s.On("ask", func(context.Context, client.Args) []any { return []any{<-reply} })
	sock := onlySocket(t, f.srv.Namespace("/").SocketIO())
	ask := sockspec.NewEvent[string, int]("ask")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	reply <- 7
	n, err := ask.EmitWithAck(ctx, sock, "how many?")
	if err != nil || n != 7 {
		t.Fatalf("ack = %d, %v", n, err)
	}
	reply <- "seven"
	_, err = ask.EmitWithAck(ctx, sock, "how many?")
	var ve *sockspec.ValidationError
	if !errors.As(err, &ve) || ve.Kind != "ack" || ve.Direction != asyncapi.ClientToServer || ve.InstancePath != "/0" {
		t.Fatalf("invalid ack: %v", err)
	}
}

func TestDocsServed(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	res, err := http.Get(f.hs.URL + "/docs/asyncapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"echo"`) {
		t.Fatalf("asyncapi.json: %d %s", res.StatusCode, body)
	}
	if strings.Contains(string(body), "x-handler") || strings.Contains(string(body), "named.hello") {
		t.Error("internal extensions served")
	}
	for _, p := range []string{"/docs", "/docs/asyncapi.yaml"} {
		if code := httptestRecorder(f.srv, p); code != 200 {
			t.Errorf("%s: %d", p, code)
		}
	}
	if code := httptestRecorder(f.srv, "/elsewhere"); code != 404 {
		t.Errorf("/elsewhere: %d", code)
	}
}

func TestUndocumentedNamespaceRefused(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	_, err := dial(t, f.hs.URL, "/ghost", dialOpts{})
	if ce, _ := connectErr(t, err); ce.Message != "Invalid namespace" {
		t.Errorf("message = %q", ce.Message)
	}
}

func TestHandlerDisconnects(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	gone := make(chan client.DisconnectReason, 1)
	s.OnDisconnect(func(r client.DisconnectReason) { gone <- r })
	if err := s.Emit(t.Context(), "fail", "disconnect"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-gone:
		if r != client.ReasonServerDisconnect {
			t.Errorf("reason %q", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a handler returning a DisconnectReason did not disconnect its socket")
	}
}

func TestErrorMessagesBounded(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	s := mustDial(t, f.hs.URL, "/", dialOpts{})
	big := map[string]any{"text": "a"}
	for i := range 1000 {
		big[fmt.Sprintf("extra-%04d-%s", i, strings.Repeat("x", 100))] = i
	}
	w := errorAck(t, ack(t, s, "echo", big))
	if len(w.Error.Message) > 600 || !strings.Contains(w.Error.Message, "and 995 more") {
		t.Errorf("message of %d bytes: %.200s", len(w.Error.Message), w.Error.Message)
	}
	<-f.errs
}

// onlySocket returns the namespace's one socket. The client's Connect has
// returned, so the server lists the socket already.
func onlySocket(t *testing.T, ns *socketio.Namespace) *socketio.Socket {
	t.Helper()
	socks := ns.Sockets()
	if len(socks) != 1 {
		t.Fatalf("%d sockets in %s, want 1", len(socks), ns.Name())
	}
	return socks[0]
}

// A broadcast with ack validates every answer: valid ones are returned (decoded), each
// invalid one is a *ValidationError in the joined error, and a silent recipient makes the
// deadline part of it.
func TestBroadcastWithAckValidation(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	answers := []any{7, "seven", 9}
	for _, a := range answers {
		s := mustDial(t, f.hs.URL, "/", dialOpts{})
		s.On("ask", func(context.Context, client.Args) []any { return []any{a} })
	}
	sns := f.srv.Namespace("/").SocketIO()
	if n := len(sns.Sockets()); n != len(answers) {
		t.Fatalf("%d sockets listed, want %d", n, len(answers))
	}
	ask := sockspec.NewEvent[string, int]("ask")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got, err := ask.BroadcastWithAck(ctx, sns.Except(), "how many?")
	slices.Sort(got)
	if !slices.Equal(got, []int{7, 9}) {
		t.Fatalf("valid answers %v, want [7 9]", got)
	}
	var ve *sockspec.ValidationError
	if !errors.As(err, &ve) || ve.Kind != "ack" || ve.Direction != asyncapi.ClientToServer || ve.InstancePath != "/0" {
		t.Fatalf("err %v, want the invalid answer's ValidationError", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v: every recipient answered", err)
	}

	// The untyped form, with one recipient that never answers.
	silent := mustDial(t, f.hs.URL, "/", dialOpts{})
	block := make(chan struct{})
	defer close(block)
	silent.On("ask", func(context.Context, client.Args) []any { <-block; return nil })
	short, cancelShort := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancelShort()
	raw, err := f.srv.BroadcastWithAck(short, sns.Except(), "ask", "how many?")
	if len(raw) != 2 {
		t.Fatalf("%d valid answers, want 2", len(raw))
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ve) {
		t.Fatalf("err %v, want the deadline and the invalid answer", err)
	}
	// The payload is validated before anything is sent.
	if _, err := f.srv.BroadcastWithAck(ctx, sns.Except(), "ask", 42); !errors.As(err, &ve) || ve.Direction != asyncapi.ServerToClient {
		t.Fatalf("invalid payload: %v", err)
	}
}
