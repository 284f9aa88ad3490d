// Package python_test drives sockspec's Socket.IO server with the
// synchronous client of python-socketio 5 (client.py, Debian's
// python3-socketio), over websocket only, polling only, and polling
// upgraded to websocket: namespaces with auth, acks both ways, several and
// binary arguments, rooms, CONNECT_ERROR and server-side disconnects.
//
// The script prints what the Python side saw as JSON lines; the test
// compares them with what it expects and with what the server saw.
package python_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/e2e/internal/harness"
	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/internal/testenv"
	"github.com/sockspec/sockspec/socketio"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// python is Debian's interpreter: the Debian packages python3-socketio,
// python3-websocket and python3-requests install for it, not for whatever
// python3 comes first on PATH.
const python = "/usr/bin/python3"

// requirePython skips the test, or fails it in CI, when the interpreter or
// the Python packages are missing.
func requirePython(t *testing.T) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), python, "-c", "import socketio, engineio, websocket, requests").CombinedOutput()
	if err != nil {
		testenv.Missing(t, fmt.Sprintf("%s with python3-socketio, python3-websocket and python3-requests: %v %s", python, err, out))
	}
}

// observed is what the server saw, for the test to compare with what the
// client says it sent.
type observed struct {
	mu      sync.Mutex
	notes   [][]any                                         // arguments of each "note" event
	answers []any                                           // acks of the client to EmitWithAck
	tokens  []string                                        // tokens the /custom middleware saw
	reasons map[socketio.SocketID]socketio.DisconnectReason // why each socket disconnected, by namespace-qualified id
}

func (o *observed) add(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f()
}

// newServer builds the server client.py expects.
func newServer(t *testing.T, obs *observed) *socketio.Server {
	t.Helper()
	srv, err := socketio.NewServer(socketio.Config{
		Logger: harness.Logger(),
		// Short pings, so that python-engineio's ping answers are part of
		// every scenario.
		Engine: engineio.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 2 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	recordDisconnect := func(s *socketio.Socket) {
		s.OnDisconnect(func(r socketio.DisconnectReason) {
			obs.add(func() { obs.reasons[socketio.SocketID(s.Namespace().Name()+"#")+s.ID()] = r })
		})
	}

	main := srv.Of("/")
	main.OnConnection(recordDisconnect)
	main.On("echo", func(_ context.Context, _ *socketio.Socket, args socketio.Args) ([]any, error) {
		return args.Values(), nil
	})
	main.On("note", func(_ context.Context, _ *socketio.Socket, args socketio.Args) ([]any, error) {
		obs.add(func() { obs.notes = append(obs.notes, decode(t, args)) })
		return nil, nil
	})
	main.On("notes", func(_ context.Context, _ *socketio.Socket, _ socketio.Args) ([]any, error) {
		obs.mu.Lock()
		defer obs.mu.Unlock()
		return []any{len(obs.notes)}, nil
	})
	main.On("bin", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var label string
		var data []byte
		if err := errors.Join(args.Unmarshal(0, &data), args.Unmarshal(1, &label)); err != nil {
			return nil, err
		}
		if !args.Binary() {
			return nil, errors.New("bin: no binary attachment")
		}
		reversed := slices.Clone(data)
		slices.Reverse(reversed)
		back := map[string]any{"one": []byte("pong"), "list": []any{[]byte{0}, "text", []byte{1, 2}}}
		if err := s.Emit(ctx, "bin-back", back, label); err != nil {
			return nil, err
		}
		return []any{reversed, map[string]any{"nested": []byte("ack"), "len": len(data)}}, nil
	})
	main.On("ask-client", func(ctx context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "question", 21, "x")
		if err != nil {
			return nil, err
		}
		obs.add(func() { obs.answers = append(obs.answers, decode(t, ack)) })
		return []any{map[string]any{"answer": ack.Values()}}, nil
	})
	main.On("ask-client-bin", func(ctx context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "question-bin", []byte{1, 2, 3, 255})
		if err != nil {
			return nil, err
		}
		var b []byte
		if err := ack.Unmarshal(0, &b); err != nil {
			return nil, err
		}
		obs.add(func() { obs.answers = append(obs.answers, map[string]any{"binary": ack.Binary(), "bytes": b}) })
		return []any{b}, nil
	})
	main.On("ask-client-void", func(ctx context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "question-void")
		if err != nil {
			return nil, err
		}
		obs.add(func() { obs.answers = append(obs.answers, map[string]any{"void": ack.Len()}) })
		return []any{ack.Len()}, nil
	})
	main.On("join", func(_ context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room string
		if err := args.Unmarshal(0, &room); err != nil {
			return nil, err
		}
		s.Join(socketio.Room(room))
		return []any{true}, nil
	})
	main.On("shout", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room, msg string
		if err := errors.Join(args.Unmarshal(0, &room), args.Unmarshal(1, &msg)); err != nil {
			return nil, err
		}
		return []any{true}, s.To(socketio.Room(room)).Emit(ctx, "shout", msg, string(s.ID()))
	})
	main.On("news-trigger", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room, msg string
		if err := errors.Join(args.Unmarshal(0, &room), args.Unmarshal(1, &msg)); err != nil {
			return nil, err
		}
		return []any{true}, s.Namespace().To(socketio.Room(room)).Emit(ctx, "news", msg)
	})
	main.On("kick-me", func(_ context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		s.Disconnect(false)
		return nil, nil
	})

	custom := srv.Of("/custom")
	custom.Use(func(_ context.Context, h *socketio.Handshake) error {
		var auth struct {
			Token string `json:"token"`
		}
		err := json.Unmarshal(h.Auth, &auth)
		obs.add(func() { obs.tokens = append(obs.tokens, auth.Token) })
		if err != nil || auth.Token != "s3cret" {
			return &socketio.ConnectError{Message: "unauthorized", Data: map[string]string{"reason": "bad token"}}
		}
		return nil
	})
	custom.OnConnection(func(s *socketio.Socket) {
		recordDisconnect(s)
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
	})
	custom.On("whoami", func(_ context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		return []any{map[string]any{
			"namespace":          s.Namespace().Name(),
			"auth":               s.Handshake().Auth,
			"transport":          s.Transport(),
			"handshakeTransport": s.Handshake().Query.Get("transport"),
		}}, nil
	})
	custom.On("kick-me", func(_ context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		s.Disconnect(false)
		return nil, nil
	})
	return srv
}

// decode turns received arguments into plain JSON values for comparison.
func decode(t *testing.T, args socketio.Args) []any {
	out := make([]any, args.Len())
	for i := range out {
		if err := args.Unmarshal(i, &out[i]); err != nil {
			t.Errorf("decode argument %d: %v", i, err)
		}
	}
	return out
}

func TestPythonSocketIOClient(t *testing.T) {
	requirePython(t)
	for _, mode := range []string{"websocket", "polling", "upgrade"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			obs := &observed{reasons: map[socketio.SocketID]socketio.DisconnectReason{}}
			srv := newServer(t, obs)
			url := harness.Serve(t, srv)

			steps := runClient(t, url, mode)
			want := expected(mode)
			for name := range steps {
				if _, ok := want[name]; !ok && name != "versions" {
					t.Errorf("unexpected step %q in the script's output", name)
				}
			}
			for _, name := range slices.Sorted(maps.Keys(want)) {
				got, ok := steps[name]
				if !ok {
					t.Errorf("step %q: missing from the script's output", name)
					continue
				}
				if got.Error != "" {
					t.Errorf("step %q raised in Python: %s", name, got.Error)
					continue
				}
				if check := want[name]; check == nil {
					continue // checked in checkServer
				} else if err := check(got.Value); err != nil {
					t.Errorf("step %q: %v\n got: %s", name, err, got.Value)
				}
			}
			checkServer(t, srv, obs, mode, steps)
		})
	}
}

// step is one line of the script's output.
type step struct {
	Step  string          `json:"step"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

// runClient runs client.py against url and returns its steps by name.
func runClient(t *testing.T, url, mode string) map[string]step {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "client.py", url, mode)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("client.py %s: %v\nstdout:\n%s\nstderr:\n%s", mode, err, out, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		// python-socketio logs handler exceptions there; they would
		// otherwise go unnoticed when a step still passes.
		t.Errorf("client.py wrote to stderr:\n%s", stderr.Bytes())
	}
	t.Logf("client.py %s:\n%s", mode, out)
	steps := map[string]step{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var s step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("client.py printed %q: %v", sc.Bytes(), err)
		}
		if _, dup := steps[s.Step]; dup {
			t.Errorf("step %q printed twice", s.Step)
		}
		steps[s.Step] = s
	}
	return steps
}

// check validates one step's value.
type check func(json.RawMessage) error

// equals checks that the value is the given JSON, compared as decoded values.
func equals(want string) check {
	return func(got json.RawMessage) error {
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			panic(err)
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Errorf("want %s", want)
		}
		return nil
	}
}

// into decodes the value into a new T and checks it with f.
func into[T any](f func(T) error) check {
	return func(got json.RawMessage) error {
		var v T
		if err := json.Unmarshal(got, &v); err != nil {
			return err
		}
		return f(v)
	}
}

// expected is what the script must see, by step.
func expected(mode string) map[string]check {
	transport, handshake := mode, mode
	if mode == "upgrade" {
		transport, handshake = "websocket", "polling"
	}
	notEmpty := func(what, s string) error {
		if s == "" {
			return fmt.Errorf("%s is empty", what)
		}
		return nil
	}
	return map[string]check{
		"connect": into(func(v struct {
			Connected bool   `json:"connected"`
			Transport string `json:"transport"`
			SID       string `json:"sid"`
			CustomSID string `json:"sid/custom"`
		}) error {
			if !v.Connected || v.Transport != transport {
				return fmt.Errorf("want connected over %s", transport)
			}
			if v.SID == v.CustomSID {
				return errors.New("one socket id per namespace expected")
			}
			return errors.Join(notEmpty("sid", v.SID), notEmpty("sid/custom", v.CustomSID))
		}),
		// The server's OnConnection echoes the auth payload.
		"auth-event": equals(`[{"token":"s3cret","user":"py-A"}]`),
		"whoami": equals(fmt.Sprintf(`{"namespace":"/custom","auth":{"token":"s3cret","user":"py-A"},"transport":%q,"handshakeTransport":%q}`,
			transport, handshake)),
		// call() returns several ack arguments as a list, one as itself.
		"echo-call":     equals(`["a",1,2.5,true,null,[1,"x"],{"k":"v"}]`),
		"echo-callback": equals(`["single"]`),
		"note":          equals(`null`),
		"notes-seen":    equals(`1`),
		"bin-call":      equals(`[{"$bytes":"fffe0100"},{"nested":{"$bytes":"61636b"},"len":4}]`),
		"bin-back":      equals(`[{"one":{"$bytes":"706f6e67"},"list":[{"$bytes":"00"},"text",{"$bytes":"0102"}]},"label"]`),
		// The Python handler got (21, "x") and returned the tuple (42, "X").
		"question-args":  equals(`[21,"x"]`),
		"ask-client":     equals(`{"answer":[42,"X"]}`),
		"ask-client-bin": equals(`{"$bytes":"ff030201"}`),
		// The Python handler returned None: an ack without arguments.
		"ask-client-void": equals(`0`),
		"echo-empty":      equals(`null`),
		"connect-b":       into(func(sid string) error { return notEmpty("sid", sid) }),
		"connect-c":       into(func(sid string) error { return notEmpty("sid", sid) }),
		"join-a":          equals(`true`),
		"join-b":          equals(`true`),
		"shout":           equals(`true`),
		"shout-b":         nil, // checked with the socket ids in checkServer
		"news":            equals(`true`),
		"news-a":          equals(`["all"]`),
		"news-b":          equals(`["all"]`),
		"echo-c":          equals(`"c"`),
		// A shouted to its own room: B got it once, A and C (not in the
		// room) nothing.
		"counts": equals(`{"a-shout":0,"b-shout":1,"c-shout":0,"c-news":0}`),
		// python-socketio 5.7 raises the same message for every refused
		// namespace; the server's {message, data} reaches the connect_error
		// handler.
		"connect-error-namespace": equals(`{"exception":"ConnectionError","message":"One or more namespaces failed to connect",
			"handler":[{"message":"Invalid namespace"}],"connected":false}`),
		"connect-error-middleware": equals(`{"exception":"ConnectionError","message":"One or more namespaces failed to connect",
			"handler":[{"message":"unauthorized","data":{"reason":"bad token"}}],"connected":false}`),
		// Kicked out of /custom, A keeps "/".
		"kick-custom": equals(`{"a-connected":true,"namespaces":["/"],"echo":"still here"}`),
		// Kicked out of its only namespace, B is disconnected; A is not.
		"kick-b": equals(`{"b-connected":false,"a-disconnect":0}`),
		"done":   equals(`true`),
	}
}

// checkServer compares what the server saw with what the script did.
func checkServer(t *testing.T, srv *socketio.Server, obs *observed, mode string, steps map[string]step) {
	t.Helper()
	var ids struct {
		A, ACustom, B, C string
	}
	var conn struct {
		SID       string `json:"sid"`
		CustomSID string `json:"sid/custom"`
	}
	_ = json.Unmarshal(steps["connect"].Value, &conn)
	_ = json.Unmarshal(steps["connect-b"].Value, &ids.B)
	_ = json.Unmarshal(steps["connect-c"].Value, &ids.C)
	ids.A, ids.ACustom = conn.SID, conn.CustomSID

	// B got A's shout, with A's id as the sender.
	if err := equals(fmt.Sprintf(`["hi from A",%q]`, ids.A))(steps["shout-b"].Value); err != nil {
		t.Errorf("step \"shout-b\": %v\n got: %s", err, steps["shout-b"].Value)
	}

	// Every client disconnected at the end of the script: wait for the
	// server to have closed all their sockets.
	deadline := time.Now().Add(5 * time.Second)
	for srv.Of("/").Len()+srv.Of("/custom").Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Of("/").Len() + srv.Of("/custom").Len(); n != 0 {
		t.Errorf("%d sockets still connected after the script ended", n)
	}

	obs.mu.Lock()
	defer obs.mu.Unlock()
	t.Logf("disconnect reasons: %v", obs.reasons)
	if want := [][]any{{"hello", 42.0, map[string]any{"deep": []any{1.0, 2.0}}}}; !reflect.DeepEqual(obs.notes, want) {
		t.Errorf("server got notes %v, want %v", obs.notes, want)
	}
	wantAnswers := []any{[]any{42.0, "X"}, map[string]any{"binary": true, "bytes": []byte{255, 3, 2, 1}}, map[string]any{"void": 0}}
	if !reflect.DeepEqual(obs.answers, wantAnswers) {
		t.Errorf("server got acks %#v, want %#v", obs.answers, wantAnswers)
	}
	// A on "/" and "/custom", then the refused one.
	if want := []string{"s3cret", "wrong"}; !reflect.DeepEqual(obs.tokens, want) {
		t.Errorf("middleware saw tokens %q, want %q", obs.tokens, want)
	}
	key := func(nsp, id string) socketio.SocketID { return socketio.SocketID(nsp + "#" + id) }
	// A and C closed themselves. python-socketio's disconnect() queues
	// DISCONNECT and CLOSE, then marks the Engine.IO client disconnected
	// without waiting for its write loop (python-engineio 4.3
	// Client.disconnect(abort=True)): over websocket the socket closes at
	// once, so the server may see "transport close" first; over polling a
	// write loop busy with an earlier POST (a pong) sees the state change
	// and exits without sending them, so the server only notices the
	// missing pongs.
	clientGone := []socketio.DisconnectReason{socketio.ReasonClientNamespaceDisconnect, socketio.ReasonTransportClose}
	if mode == "polling" {
		clientGone = append(clientGone, socketio.ReasonPingTimeout)
	}
	for _, c := range []struct {
		key  socketio.SocketID
		want []socketio.DisconnectReason
	}{
		{key("/custom", ids.ACustom), []socketio.DisconnectReason{socketio.ReasonServerNamespaceDisconnect}},
		{key("/", ids.B), []socketio.DisconnectReason{socketio.ReasonServerNamespaceDisconnect}},
		{key("/", ids.A), clientGone},
		{key("/", ids.C), clientGone},
	} {
		got, ok := obs.reasons[c.key]
		if !ok || !slices.Contains(c.want, got) {
			t.Errorf("socket %s disconnected with %q (known: %v), want one of %q", c.key, got, ok, c.want)
		}
	}
	if len(obs.reasons) != 4 {
		t.Errorf("server saw %d sockets disconnect, want 4: %v", len(obs.reasons), obs.reasons)
	}
}
