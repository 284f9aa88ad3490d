package mock_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/mock"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const chatFile = "../testdata/asyncapi/valid/chat-2.2.yaml"

func load(t *testing.T, file string) *asyncapi.Document { return loadB(t, file) }

func loadB(t testing.TB, file string) *asyncapi.Document {
	t.Helper()
	doc, err := asyncapi.Load(t.Context(), file, asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// start serves a mock of doc over httptest and returns its base URL.
func start(t *testing.T, doc *asyncapi.Document, cfg mock.Config) (*mock.Server, string) {
	return startB(t, doc, cfg)
}

func startB(t testing.TB, doc *asyncapi.Document, cfg mock.Config) (*mock.Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := mock.New(doc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(m)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil && !errors.Is(err, sockspec.ErrServerClosed) {
			t.Errorf("shutdown: %v", err)
			if os.Getenv("MOCK_DUMP") != "" {
				_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			}
		}
		hs.Close()
	})
	return m, hs.URL
}

func dial(t *testing.T, base, nsp string, cfg client.Config, setup func(*client.Socket)) *client.Socket {
	t.Helper()
	if cfg.Transports == nil {
		// the mock's behaviour does not depend on the transport; see
		// TestPollingClient for polling
		cfg.Transports = []client.Transport{client.WebSocket}
	}
	mgr, err := client.NewManager(base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgr.Close() })
	s := mgr.Socket(nsp, cfg.Auth)
	if setup != nil {
		setup(s)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Connect(ctx); err != nil {
		t.Fatalf("connect %s: %v", nsp, err)
	}
	return s
}

// received is one event a test client got.
type received struct {
	event string
	args  []json.RawMessage
}

// collect records the events a socket receives, in order.
type collector struct {
	mu   sync.Mutex
	got  []received
	more chan struct{}
}

func newCollector() *collector { return &collector{more: make(chan struct{}, 1)} }

func (c *collector) install(s *client.Socket) {
	s.OnAny(func(ctx context.Context, event string, args client.Args) {
		r := received{event: event}
		for i := range args.Len() {
			r.args = append(r.args, append(json.RawMessage(nil), args.Raw(i)...))
		}
		c.mu.Lock()
		c.got = append(c.got, r)
		c.mu.Unlock()
		select {
		case c.more <- struct{}{}:
		default:
		}
	})
}

// wait returns the first n events, failing after a deadline.
func (c *collector) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		if len(c.got) >= n {
			out := append([]received(nil), c.got[:n]...)
			c.mu.Unlock()
			return out
		}
		c.mu.Unlock()
		select {
		case <-c.more:
		case <-deadline:
			t.Fatalf("got %d events, want %d", len(c.got), n)
		}
	}
}

func decode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAckConformsToSchema(t *testing.T) {
	doc := load(t, chatFile)
	_, base := start(t, doc, mock.Config{Interval: -1, Seed: 3})
	s := dial(t, base, "/", client.Config{}, nil)
	ackSchema := doc.Namespace("/").Event(asyncapi.ClientToServer, "add user").Ack.Payload
	for range 50 {
		ack, err := s.EmitWithAck(t.Context(), "add user", "alice")
		if err != nil {
			t.Fatal(err)
		}
		if ack.Len() != 1 {
			t.Fatalf("ack has %d arguments", ack.Len())
		}
		v := decode(t, ack.Raw(0))
		if err := ackSchema.Validate(v); err != nil {
			t.Fatalf("ack %s does not conform: %v", ack.Raw(0), err)
		}
	}
	// an event without ack is accepted and acked with nothing
	ack, err := s.EmitWithAck(t.Context(), "typing")
	if err != nil || ack.Len() != 0 {
		t.Fatalf("typing: %v, %d args", err, ack.Len())
	}
}

func TestTupleAck(t *testing.T) {
	doc := load(t, "testdata/secure-2.6.yaml")
	_, base := start(t, doc, mock.Config{Interval: -1})
	s := dial(t, base, "/", client.Config{}, nil)
	ackSchema := doc.Namespace("/").Event(asyncapi.ClientToServer, "move").Ack.Payload
	for range 20 {
		ack, err := s.EmitWithAck(t.Context(), "move", 3, 4)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Len() != 2 {
			t.Fatalf("tuple ack has %d arguments: %s", ack.Len(), ack.Raw(0))
		}
		tuple := []any{decode(t, ack.Raw(0)), decode(t, ack.Raw(1))}
		if err := ackSchema.Validate(tuple); err != nil {
			t.Fatalf("ack %v does not conform: %v", tuple, err)
		}
	}
}

func TestInvalidEventIsRefusedAndRecorded(t *testing.T) {
	doc := load(t, chatFile)
	var mu sync.Mutex
	var recs []mock.Record
	_, base := start(t, doc, mock.Config{Interval: -1, OnRecord: func(r mock.Record) {
		mu.Lock()
		recs = append(recs, r)
		mu.Unlock()
	}})
	s := dial(t, base, "/", client.Config{}, nil)
	ack, err := s.EmitWithAck(t.Context(), "add user", 42)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := ack.Unmarshal(0, &body); err != nil || body.Error.Code != "invalid_payload" {
		t.Fatalf("error ack %s: %v", ack.Raw(0), err)
	}
	ack, err = s.EmitWithAck(t.Context(), "nope")
	if err != nil || ack.Unmarshal(0, &body) != nil || body.Error.Code != "unknown_event" {
		t.Fatalf("unknown event ack: %v %s", err, ack.Raw(0))
	}
	mu.Lock()
	defer mu.Unlock()
	var invalid, unknown bool
	for _, r := range recs {
		var ve *sockspec.ValidationError
		if r.Kind == mock.RecordReceive && errors.As(r.Err, &ve) {
			invalid = invalid || (r.Event == "add user" && ve.Kind == "payload")
			unknown = unknown || (r.Event == "nope" && ve.Kind == "unknown_event")
		}
	}
	if !invalid || !unknown {
		t.Errorf("records %+v", recs)
	}
}

func TestPeriodicEventsConform(t *testing.T) {
	doc := load(t, chatFile)
	_, base := start(t, doc, mock.Config{Interval: 5 * time.Millisecond, Seed: 1})
	c := newCollector()
	dial(t, base, "/", client.Config{}, c.install)
	ns := doc.Namespace("/")
	var order []string
	for _, ev := range ns.Events {
		if ev.Direction == asyncapi.ServerToClient {
			order = append(order, ev.Name)
		}
	}
	got := c.wait(t, 3*len(order))
	for i, r := range got {
		if want := order[i%len(order)]; r.event != want {
			t.Fatalf("event %d is %q, want %q (round-robin)", i, r.event, want)
		}
		ev := ns.Event(asyncapi.ServerToClient, r.event)
		if len(r.args) != 1 {
			t.Fatalf("%s: %d arguments", r.event, len(r.args))
		}
		if err := ev.Payload.Validate(decode(t, r.args[0])); err != nil {
			t.Fatalf("%s payload %s does not conform: %v", r.event, r.args[0], err)
		}
	}
}

func TestAdminNamespaceNeedsToken(t *testing.T) {
	doc := load(t, chatFile)
	_, base := start(t, doc, mock.Config{Interval: 5 * time.Millisecond})
	mgr, err := client.NewManager(base, client.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer mgr.Close()
	err = mgr.Socket("/admin", nil).Connect(t.Context())
	var ce *client.ConnectError
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "invalid handshake") {
		t.Fatalf("admin without token: %v", err)
	}
	c := newCollector()
	dial(t, base, "/admin", client.Config{Query: url.Values{"token": {"anything"}}}, c.install)
	r := c.wait(t, 1)[0]
	ev := doc.Namespace("/admin").Event(asyncapi.ServerToClient, "server metric")
	if r.event != "server metric" || ev.Payload.Validate(decode(t, r.args[0])) != nil {
		t.Fatalf("admin got %q %s", r.event, r.args)
	}
}

// run drives a fresh mock with the given seed and returns what the client
// saw: the first periodic events and three acks.
func run(t *testing.T, seed uint64) string {
	doc := load(t, chatFile)
	m, base := start(t, doc, mock.Config{Interval: 2 * time.Millisecond, Seed: seed})
	c := newCollector()
	s := dial(t, base, "/", client.Config{}, c.install)
	var b strings.Builder
	for range 3 {
		ack, err := s.EmitWithAck(t.Context(), "add user", "bob")
		if err != nil {
			t.Fatal(err)
		}
		b.Write(ack.Raw(0))
		b.WriteByte('\n')
	}
	for _, r := range c.wait(t, 14) {
		b.WriteString(r.event)
		for _, a := range r.args {
			b.WriteByte(' ')
			b.Write(a)
		}
		b.WriteByte('\n')
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSeedReproducible(t *testing.T) {
	a, b := run(t, 42), run(t, 42)
	if a != b {
		t.Fatalf("same seed, different runs:\n%s\n---\n%s", a, b)
	}
	if c := run(t, 43); c == a {
		t.Fatalf("seeds 42 and 43 gave the same values:\n%s", a)
	}
	t.Logf("seed 42:\n%s", a)
}

func TestUnsatisfiableSchemasRejectedAtStartup(t *testing.T) {
	doc := load(t, "testdata/unsatisfiable-2.6.yaml")
	m, err := mock.New(doc, mock.Config{Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		m.Close()
		t.Fatal("mock started")
	}
	var ses []*mock.SchemaError
	var walk func(error)
	walk = func(e error) {
		if se, ok := e.(*mock.SchemaError); ok {
			ses = append(ses, se)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		} else if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	t.Log(err)
	if len(ses) != 2 {
		t.Fatalf("%d schema errors, want 2: %v", len(ses), err)
	}
	byEvent := map[string]*mock.SchemaError{}
	for _, se := range ses {
		byEvent[se.Event] = se
	}
	score, word := byEvent["score"], byEvent["word"]
	if score == nil || word == nil {
		t.Fatalf("errors: %v", err)
	}
	if score.Part != "ack" || score.Location.Pointer != "/components/messages/Score/x-ack/args/properties/points" || score.Location.Line != 25 {
		t.Errorf("score: %+v", score)
	}
	if word.Part != "payload" || word.Keyword != "pattern" || word.Location.Pointer != "/components/messages/Word/payload/pattern" || word.Location.Line != 34 || word.Location.Column != 18 {
		t.Errorf("word: %+v", word)
	}
	if !strings.Contains(err.Error(), "unsatisfiable-2.6.yaml:34:18: namespace \"/\" event \"word\" payload: pattern:") {
		t.Errorf("message: %v", err)
	}
	if (doc.Namespace("/").Event(asyncapi.ServerToClient, "fine")) == nil {
		t.Fatal("fixture")
	}
}

func jwt(header, payload string) string {
	e := base64.RawURLEncoding.EncodeToString
	return e([]byte(header)) + "." + e([]byte(payload)) + "." + e([]byte("sig"))
}

func TestSecurityAcceptsWellFormedCredentials(t *testing.T) {
	doc := load(t, "testdata/secure-2.6.yaml")
	_, base := start(t, doc, mock.Config{Interval: -1})
	basic := func(user, pass string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
	}
	tests := []struct {
		name string
		nsp  string
		cfg  client.Config
		auth any
		want string // "" to connect; else a substring of the CONNECT_ERROR message
	}{
		{"jwt in auth", "/jwt", client.Config{}, map[string]any{"token": jwt(`{"alg":"HS256"}`, `{"sub":"u1"}`)}, ""},
		{"jwt in header", "/jwt", client.Config{Header: http.Header{"Authorization": {"Bearer " + jwt(`{"alg":"none"}`, `{}`)}}}, nil, ""},
		{"jwt two parts", "/jwt", client.Config{}, map[string]any{"token": "abc.def"}, "not a JWT"},
		{"jwt header not json", "/jwt", client.Config{}, map[string]any{"token": jwt("nope", `{}`)}, "not a JWT"},
		{"bearer with spaces", "/jwt", client.Config{}, map[string]any{"token": "a b"}, "RFC 6750"},
		{"no token", "/jwt", client.Config{}, nil, "unauthorized"},
		{"basic", "/basic", client.Config{Header: basic("ann", "pw")}, nil, ""},
		{"basic empty user", "/basic", client.Config{Header: basic("", "pw")}, nil, "empty user name"},
		{"basic none", "/basic", client.Config{}, nil, "unauthorized"},
		{"api key", "/key", client.Config{Query: url.Values{"api_key": {"k-123"}}}, nil, ""},
		{"api key with space", "/key", client.Config{Query: url.Values{"api_key": {"k 123"}}}, nil, "without spaces"},
		{"api key missing", "/key", client.Config{}, nil, "unauthorized"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mgr, err := client.NewManager(base, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer mgr.Close()
			s := mgr.Socket(tc.nsp, tc.auth)
			err = s.Connect(t.Context())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				ack, err := s.EmitWithAck(t.Context(), "hello", "hi")
				if err != nil || ack.Len() != 0 {
					t.Fatalf("hello: %v %d", err, ack.Len())
				}
				return
			}
			var ce *client.ConnectError
			if !errors.As(err, &ce) || !strings.Contains(ce.Message, tc.want) {
				t.Fatalf("got %v, want a CONNECT_ERROR with %q", err, tc.want)
			}
		})
	}
}

func TestSecurityConfiguredFunction(t *testing.T) {
	doc := load(t, "testdata/secure-2.6.yaml")
	_, base := start(t, doc, mock.Config{Interval: -1, Security: map[string]sockspec.SecurityFunc{
		"key": func(ctx context.Context, c sockspec.Credentials) (any, error) {
			if c.Token != "letmein" {
				return nil, sockspec.NewError(sockspec.CodeForbidden, "wrong key")
			}
			return "admin", nil
		},
	}})
	for key, want := range map[string]string{"letmein": "", "k-123": "wrong key"} {
		mgr, err := client.NewManager(base, client.Config{Query: url.Values{"api_key": {key}}})
		if err != nil {
			t.Fatal(err)
		}
		err = mgr.Socket("/key", nil).Connect(t.Context())
		mgr.Close()
		var ce *client.ConnectError
		if want == "" && err != nil || want != "" && (!errors.As(err, &ce) || ce.Message != want) {
			t.Errorf("key %q: %v", key, err)
		}
	}
}

func TestClientAcksValidated(t *testing.T) {
	doc := load(t, "testdata/secure-2.6.yaml")
	acks := make(chan mock.Record, 16)
	_, base := start(t, doc, mock.Config{Interval: 5 * time.Millisecond, AckTimeout: time.Second, OnRecord: func(r mock.Record) {
		if r.Kind == mock.RecordClientAck {
			select {
			case acks <- r:
			default:
			}
		}
	}})
	tickSchema := doc.Namespace("/").Event(asyncapi.ServerToClient, "tick").Payload
	var mu sync.Mutex
	answer := any(7)
	var payloadErr error
	dial(t, base, "/", client.Config{}, func(s *client.Socket) {
		s.On("tick", func(ctx context.Context, args client.Args) []any {
			v, _ := args.Value(0)
			mu.Lock()
			defer mu.Unlock()
			if err := tickSchema.Validate(v); err != nil && payloadErr == nil {
				payloadErr = err
			}
			return []any{answer}
		})
	})
	r := <-acks
	if r.Err != nil || len(r.Args) != 1 {
		t.Fatalf("valid ack: %+v", r)
	}
	mu.Lock()
	answer = "seven"
	mu.Unlock()
	for r = range acks {
		if r.Err != nil {
			break
		}
	}
	var ve *sockspec.ValidationError
	if !errors.As(r.Err, &ve) || ve.Direction != asyncapi.ClientToServer {
		t.Fatalf("invalid ack: %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if payloadErr != nil {
		t.Fatal(payloadErr)
	}
}

func TestDocsServed(t *testing.T) {
	doc := load(t, chatFile)
	m, base := start(t, doc, mock.Config{Interval: -1})
	if m.Path() != "/socket.io/" || m.DocsPath() != "/docs" {
		t.Fatalf("paths %q %q", m.Path(), m.DocsPath())
	}
	resp, err := http.Get(base + m.DocsPath() + "/asyncapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || d["asyncapi"] != "2.2.0" {
		t.Fatalf("docs: %v %v", err, d["asyncapi"])
	}
}

func TestShutdownTwice(t *testing.T) {
	doc := load(t, chatFile)
	m, err := mock.New(doc, mock.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := m.Shutdown(t.Context()); !errors.Is(err, sockspec.ErrServerClosed) {
		t.Fatalf("second shutdown: %v", err)
	}
}

// TestEveryValidDocumentMocks starts a mock for every valid document of the
// corpus (2.x and 3.x, external references, recursion, x-handlers and
// x-security) and, in each namespace a client can join without credentials,
// checks that the periodic events conform.
func TestEveryValidDocumentMocks(t *testing.T) {
	files, _ := filepath.Glob("../testdata/asyncapi/valid/*.yaml")
	files = append(files, "../examples/chat/chatserver/asyncapi.yaml", "testdata/secure-2.6.yaml")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			doc := load(t, file)
			if m, err := mock.New(doc, mock.Config{Interval: -1, Logger: slog.New(slog.DiscardHandler)}); err != nil {
				if strings.Contains(err.Error(), "cannot be checked by sockspec") {
					t.Skipf("the framework refuses it too: %v", err)
				}
				t.Fatal(err)
			} else {
				m.Close()
			}
			_, base := start(t, doc, mock.Config{Interval: 2 * time.Millisecond})
			for _, ns := range doc.Namespaces {
				var out int
				for _, ev := range ns.Events {
					if ev.Direction == asyncapi.ServerToClient && ev.Ack == nil {
						out++
					}
				}
				_, auth := ns.Extensions["x-auth"]
				if out == 0 || ns.Bindings.Query != nil || ns.Bindings.Headers != nil || len(ns.Security) > 0 || auth {
					continue
				}
				c := newCollector()
				dial(t, base, ns.Name, client.Config{}, c.install)
				for _, r := range c.wait(t, 2*len(ns.Events)) {
					ev := ns.Event(asyncapi.ServerToClient, r.event)
					if ev == nil {
						t.Fatalf("%s: undocumented event %q", ns.Name, r.event)
					}
					if ev.Payload == nil {
						if len(r.args) != 0 {
							t.Fatalf("%s %s: %d arguments", ns.Name, r.event, len(r.args))
						}
						continue
					}
					var v any
					if ev.Arity.Kind == asyncapi.ArityTuple {
						vs := make([]any, len(r.args))
						for i, a := range r.args {
							vs[i] = decode(t, a)
						}
						v = vs
					} else {
						v = decode(t, r.args[0])
					}
					if err := ev.Payload.Validate(v); err != nil {
						t.Fatalf("%s %s: %v", ns.Name, r.event, err)
					}
				}
			}
		})
	}
}

func TestChat3Replies(t *testing.T) {
	doc := load(t, "../testdata/asyncapi/valid/chat-3.0.yaml")
	_, base := start(t, doc, mock.Config{Interval: 5 * time.Millisecond, Seed: 9})
	c := newCollector()
	s := dial(t, base, "/", client.Config{}, c.install)
	n := 0
	for _, ev := range doc.Namespace("/").Events {
		if ev.Direction != asyncapi.ClientToServer || ev.Ack == nil || ev.Payload == nil || ev.Arity.Kind != asyncapi.ArityOne {
			continue
		}
		var arg any = "x"
		if ev.Payload.Validate(arg) != nil {
			continue
		}
		ack, err := s.EmitWithAck(t.Context(), ev.Name, arg)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Ack.Payload != nil {
			if err := ev.Ack.Payload.Validate(decode(t, ack.Raw(0))); err != nil {
				t.Fatalf("%s reply %s: %v", ev.Name, ack.Raw(0), err)
			}
		}
		n++
	}
	if n == 0 {
		t.Fatal("no event with a reply taking a string")
	}
	r := c.wait(t, 1)[0]
	ev := doc.Namespace("/").Event(asyncapi.ServerToClient, r.event)
	if ev == nil || ev.Payload != nil && ev.Payload.Validate(decode(t, r.args[0])) != nil {
		t.Fatalf("event %q %s", r.event, r.args)
	}
}

// TestPollingClient runs an ack and periodic events over HTTP long-polling
// only.
func TestPollingClient(t *testing.T) {
	doc := load(t, chatFile)
	_, base := start(t, doc, mock.Config{Interval: 5 * time.Millisecond})
	c := newCollector()
	s := dial(t, base, "/", client.Config{Transports: []client.Transport{client.Polling}}, c.install)
	ack, err := s.EmitWithAck(t.Context(), "add user", "pat")
	if err != nil || ack.Len() != 1 {
		t.Fatalf("ack: %v", err)
	}
	for _, r := range c.wait(t, 6) {
		ev := doc.Namespace("/").Event(asyncapi.ServerToClient, r.event)
		if err := ev.Payload.Validate(decode(t, r.args[0])); err != nil {
			t.Fatalf("%s: %v", r.event, err)
		}
	}
}

func TestOnRecordPanicDoesNotCrash(t *testing.T) {
	doc := load(t, chatFile)
	var emits atomic.Int32
	recorded := make(chan struct{})
	_, base := start(t, doc, mock.Config{Interval: 2 * time.Millisecond, OnRecord: func(r mock.Record) {
		if r.Kind == mock.RecordEmit && emits.Add(1) == 3 {
			close(recorded)
		}
		panic("boom")
	}})
	c := newCollector()
	s := dial(t, base, "/", client.Config{}, c.install)
	c.wait(t, 3) // the emitter survived the panics
	if ack, err := s.EmitWithAck(t.Context(), "add user", "x"); err != nil || ack.Len() != 1 {
		t.Fatalf("ack: %v", err)
	}
	// The record of an emit may come after the client saw the event: wait for it.
	select {
	case <-recorded:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d emits recorded", emits.Load())
	}
}
