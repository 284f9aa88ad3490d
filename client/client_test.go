package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/sockspec/sockspec/client"
)

func TestHandshakeDetails(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		cfg := client.Config{
			Transports: trs,
			Auth:       map[string]any{"user": "ann"},
			Query:      url.Values{"room": {"r1"}},
			Header:     http.Header{"X-Test": {"yes"}},
		}
		s := dial(t, ref.Port, "/", cfg, nil)
		if s.ID() == "" || !s.Connected() || s.Recovered() {
			t.Fatalf("ID %q Connected %v Recovered %v", s.ID(), s.Connected(), s.Recovered())
		}
		args, err := s.EmitWithAck(testCtx(t), "handshake")
		if err != nil {
			t.Fatal(err)
		}
		var hs struct {
			Query     map[string]string `json:"query"`
			Headers   map[string]string `json:"headers"`
			Auth      map[string]string `json:"auth"`
			Transport string            `json:"transport"`
		}
		if err := args.Unmarshal(0, &hs); err != nil {
			t.Fatal(err)
		}
		if hs.Query["room"] != "r1" || hs.Query["EIO"] != "4" || hs.Headers["x-test"] != "yes" || hs.Auth["user"] != "ann" {
			t.Errorf("handshake = %+v", hs)
		}
		want := "websocket"
		if len(trs) == 1 && trs[0] == client.Polling {
			want = "polling"
		}
		if hs.Transport != want || s.Manager().Transport() != client.Transport(want) {
			t.Errorf("server transport %q, client %q, want %q", hs.Transport, s.Manager().Transport(), want)
		}
	})
}

func TestEmitAndReceive(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		got := make(chan client.Args, 1)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s *client.Socket) {
			s.On("echo", func(_ context.Context, a client.Args) []any { got <- a; return nil })
		})
		obj := map[string]any{"a": 1.5, "b": []any{"x", true, nil}}
		if err := s.Emit(testCtx(t), "echo", "text", 42, obj, nil, json.RawMessage(`{"raw":1}`)); err != nil {
			t.Fatal(err)
		}
		a := recv(t, got)
		if a.Len() != 5 {
			t.Fatalf("Len = %d", a.Len())
		}
		var str string
		var n int
		var o map[string]any
		if err := a.Unmarshal(0, &str); err != nil || str != "text" {
			t.Errorf("arg 0 = %q, %v", str, err)
		}
		if err := a.Unmarshal(1, &n); err != nil || n != 42 {
			t.Errorf("arg 1 = %d, %v", n, err)
		}
		if err := a.Unmarshal(2, &o); err != nil || !reflect.DeepEqual(o, obj) {
			t.Errorf("arg 2 = %v, %v", o, err)
		}
		if string(a.Raw(3)) != "null" || string(a.Raw(4)) != `{"raw":1}` || a.Raw(5) != nil {
			t.Errorf("raw args %s %s %s", a.Raw(3), a.Raw(4), a.Raw(5))
		}
		if err := a.Unmarshal(9, &n); err == nil {
			t.Error("Unmarshal out of range: no error")
		}
	})
}

func TestEmitWithAck(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, nil)
		for i := range 20 {
			a, err := s.EmitWithAck(testCtx(t), "ack", i, "two")
			if err != nil {
				t.Fatal(err)
			}
			vs, err := a.Values()
			if err != nil || !reflect.DeepEqual(vs, []any{float64(i), "two"}) {
				t.Fatalf("ack %d = %v, %v", i, vs, err)
			}
		}
		a, err := s.EmitWithAck(testCtx(t), "ack")
		if err != nil || a.Len() != 0 {
			t.Fatalf("empty ack = %d args, %v", a.Len(), err)
		}
	})
}

func TestAckTimeout(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, nil)
		ctx, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
		defer cancel()
		_, err := s.EmitWithAck(ctx, "no such handler", 1)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
		// the socket still works
		if _, err := s.EmitWithAck(testCtx(t), "ack", 1); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBinary(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		got := make(chan client.Args, 2)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s *client.Socket) {
			s.On("binary", func(_ context.Context, a client.Args) []any { got <- a; return nil })
			s.On("echo", func(_ context.Context, a client.Args) []any { got <- a; return nil })
		})
		ctx := testCtx(t)
		// client -> server: the server sees Buffers
		a, err := s.EmitWithAck(ctx, "describe", []byte{0xde, 0xad}, map[string]any{"k": []byte("hi"), "l": []any{[]byte{1}}}, "s")
		if err != nil {
			t.Fatal(err)
		}
		var desc []any
		if err := a.Unmarshal(0, &desc); err != nil {
			t.Fatal(err)
		}
		want := []any{"buffer:dead", map[string]any{"k": "buffer:6869", "l": []any{"buffer:01"}}, "s"}
		if !reflect.DeepEqual(desc, want) {
			t.Errorf("server saw %v, want %v", desc, want)
		}
		// server -> client: Buffers become []byte
		if err := s.Emit(ctx, "send-binary"); err != nil {
			t.Fatal(err)
		}
		b := recv(t, got)
		var hello []byte
		if err := b.Unmarshal(0, &hello); err != nil || string(hello) != "hello" {
			t.Errorf("arg 0 = %q, %v", hello, err)
		}
		var nested struct {
			Nested [][]byte `json:"nested"`
			N      int      `json:"n"`
		}
		if err := b.Unmarshal(1, &nested); err != nil || len(nested.Nested) != 1 || !bytes.Equal(nested.Nested[0], []byte{0, 255}) || nested.N != 1 {
			t.Errorf("arg 1 = %+v, %v", nested, err)
		}
		v, err := b.Value(1)
		if err != nil || !reflect.DeepEqual(v, map[string]any{"nested": []any{[]byte{0, 255}}, "n": float64(1)}) {
			t.Errorf("Value(1) = %#v, %v", v, err)
		}
		if len(b.Attachments()) != 2 {
			t.Errorf("attachments = %d", len(b.Attachments()))
		}
		// binary echo, and a binary ack
		if err := s.Emit(ctx, "echo", []byte{9, 8, 7}); err != nil {
			t.Fatal(err)
		}
		e := recv(t, got)
		var raw []byte
		if err := e.Unmarshal(0, &raw); err != nil || !bytes.Equal(raw, []byte{9, 8, 7}) {
			t.Errorf("echo = %v, %v", raw, err)
		}
		ack, err := s.EmitWithAck(ctx, "ack", []byte{}, []any{[]byte{5}})
		if err != nil {
			t.Fatal(err)
		}
		v0, _ := ack.Value(0)
		v1, _ := ack.Value(1)
		if !reflect.DeepEqual(v0, []byte{}) || !reflect.DeepEqual(v1, []any{[]byte{5}}) {
			t.Errorf("binary ack = %#v %#v", v0, v1)
		}
	})
}

func TestClientAcksServer(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		var s *client.Socket // the handler below emits on it
		s = dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s2 *client.Socket) {
			s2.On("question", func(ctx context.Context, a client.Args) []any {
				// a handler may wait for an ack on its own socket
				if _, err := s.EmitWithAck(ctx, "ack"); err != nil {
					return []any{err.Error()}
				}
				var q string
				var buf []byte
				_ = a.Unmarshal(0, &q)
				_ = a.Unmarshal(1, &buf)
				return []any{"answer to " + q, buf, 7}
			})
		})
		a, err := s.EmitWithAck(testCtx(t), "ask-me", "life")
		if err != nil {
			t.Fatal(err)
		}
		var res []any
		if err := a.Unmarshal(0, &res); err != nil {
			t.Fatal(err)
		}
		// Node re-encodes the Buffer the client acked with as a binary attachment, which Unmarshal
		// presents as base64 text.
		want := []any{"answer to life", "AQID", float64(7)}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("server got %v, want %v", res, want)
		}
	})
}

func TestOrderAndOnAny(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		const n = 200
		seq := make(chan int, n)
		anyCount := make(chan string, n)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s *client.Socket) {
			s.On("seq", func(_ context.Context, a client.Args) []any {
				var i int
				_ = a.Unmarshal(0, &i)
				seq <- i
				return nil
			})
			s.OnAny(func(_ context.Context, event string, _ client.Args) { anyCount <- event })
		})
		if _, err := s.EmitWithAck(testCtx(t), "count", n); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if got := recv(t, seq); got != i {
				t.Fatalf("event %d has seq %d", i, got)
			}
			if ev := recv(t, anyCount); ev != "seq" {
				t.Fatalf("OnAny got %q", ev)
			}
		}
	})
}

func TestNamespacesAndConnectErrors(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		ctx := testCtx(t)
		m, err := client.NewManager(refURL(ref.Port, ""), client.Config{Transports: trs})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		root := m.Socket("/", nil)
		welcome := make(chan client.Args, 1)
		admin := m.Socket("admin", map[string]string{"token": "secret"})
		if admin.Namespace() != "/admin" || m.Socket("/admin", nil) != admin {
			t.Fatal("Socket does not return one Socket per namespace")
		}
		admin.On("welcome", func(_ context.Context, a client.Args) []any { welcome <- a; return nil })
		if err := root.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		if err := admin.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		w := recv(t, welcome)
		var nsp string
		var auth map[string]string
		if err := w.Unmarshal(0, &nsp); err != nil || nsp != "/admin" {
			t.Errorf("welcome nsp %q %v", nsp, err)
		}
		if err := w.Unmarshal(1, &auth); err != nil || auth["token"] != "secret" {
			t.Errorf("welcome auth %v %v", auth, err)
		}
		for _, s := range []*client.Socket{root, admin} {
			if a, err := s.EmitWithAck(ctx, "ack", s.Namespace()); err != nil || string(a.Raw(0)) != `"`+s.Namespace()+`"` {
				t.Errorf("%s ack %s %v", s.Namespace(), a.Raw(0), err)
			}
		}

		// a middleware rejection, on the same Manager
		bad := m.Socket("/admin2", nil) // unknown namespace
		err = bad.Connect(ctx)
		var cerr *client.ConnectError
		if !errors.As(err, &cerr) || cerr.Message != "Invalid namespace" || cerr.Namespace != "/admin2" {
			t.Errorf("unknown namespace: %v", err)
		}
		if bad.Connected() {
			t.Error("rejected socket is connected")
		}
		// root and admin carry on
		if _, err := admin.EmitWithAck(ctx, "ack"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMiddlewareRejects(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		ctx := testCtx(t)
		m, err := client.NewManager(refURL(ref.Port, ""), client.Config{Transports: trs})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		s := m.Socket("/admin", map[string]string{"token": "wrong"})
		hook := make(chan error, 1)
		s.OnConnectError(func(err error) { hook <- err })
		err = s.Connect(ctx)
		var cerr *client.ConnectError
		if !errors.As(err, &cerr) {
			t.Fatalf("err = %v, want *ConnectError", err)
		}
		if cerr.Error() != "client: connect /admin: unauthorized" {
			t.Errorf("Error() = %q", cerr.Error())
		}
		if cerr.Message != "unauthorized" || string(cerr.Data) != `{"code":401,"reason":"bad token"}` {
			t.Errorf("ConnectError = %q %s", cerr.Message, cerr.Data)
		}
		if h := recv(t, hook); !errors.As(h, &cerr) {
			t.Errorf("OnConnectError got %v", h)
		}
		// the connection closed once no socket used it
		if tr := m.Transport(); tr != "" {
			t.Errorf("connection still open (%s) with no active socket", tr)
		}
	})
}

func TestServerDisconnect(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		reasons := make(chan client.DisconnectReason, 2)
		connects := make(chan struct{}, 4)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs, Reconnection: client.Reconnection{Delay: 10 * time.Millisecond}}, func(s *client.Socket) {
			s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
			s.OnConnect(func() { connects <- struct{}{} })
		})
		recv(t, connects)
		if err := s.Emit(testCtx(t), "disconnect-me"); err != nil {
			t.Fatal(err)
		}
		if r := recv(t, reasons); r != client.ReasonServerDisconnect {
			t.Fatalf("reason %q", r)
		}
		if s.Connected() || s.ID() != "" {
			t.Error("still connected")
		}
		if err := s.Emit(testCtx(t), "echo"); !errors.Is(err, client.ErrNotConnected) {
			t.Errorf("Emit after disconnect: %v", err)
		}
		// no automatic reconnection; an explicit Connect works
		select {
		case <-connects:
			t.Fatal("reconnected after a server-side disconnect")
		case <-time.After(200 * time.Millisecond):
		}
		if err := s.Connect(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EmitWithAck(testCtx(t), "ack"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestClientDisconnect(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		reasons := make(chan client.DisconnectReason, 2)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s *client.Socket) {
			s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
		})
		pending := make(chan error, 1)
		go func() {
			_, err := s.EmitWithAck(testCtx(t), "no such handler")
			pending <- err
		}()
		// make sure the ack is registered before disconnecting: a round trip after it
		if _, err := s.EmitWithAck(testCtx(t), "ack"); err != nil {
			t.Fatal(err)
		}
		s.Disconnect()
		if r := recv(t, reasons); r != client.ReasonClientDisconnect {
			t.Errorf("reason %q", r)
		}
		if err := recv(t, pending); !errors.Is(err, client.ErrDisconnected) && !errors.Is(err, client.ErrNotConnected) {
			t.Errorf("pending ack: %v", err)
		}
		if s.Connected() {
			t.Error("still connected")
		}
	})
}

func TestReconnect(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		reasons := make(chan client.DisconnectReason, 2)
		connects := make(chan string, 4)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs, Reconnection: client.Reconnection{Delay: 20 * time.Millisecond}}, func(s2 *client.Socket) {
			s2.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
			s2.OnConnect(func() { connects <- s2.ID() })
		})
		first := recv(t, connects)
		if err := s.Emit(testCtx(t), "drop-me"); err != nil {
			t.Fatal(err)
		}
		if r := recv(t, reasons); r != client.ReasonTransportClose {
			t.Errorf("reason %q", r)
		}
		second := recv(t, connects)
		if second == "" || second == first {
			t.Errorf("ids %q then %q", first, second)
		}
		if s.Recovered() {
			t.Error("Recovered without server recovery")
		}
		if _, err := s.EmitWithAck(testCtx(t), "ack", 1); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRecovery(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		hello := make(chan client.Args, 4)
		missed := make(chan client.Args, 4)
		s := dial(t, ref.RecoveryPort, "/", client.Config{Transports: trs, Reconnection: client.Reconnection{Delay: 20 * time.Millisecond}}, func(s *client.Socket) {
			s.On("hello", func(_ context.Context, a client.Args) []any { hello <- a; return nil })
			s.On("missed", func(_ context.Context, a client.Args) []any { missed <- a; return nil })
		})
		h := recv(t, hello)
		// with recovery on, the server appends the packet offset as a last argument
		if h.Len() != 2 || string(h.Raw(0)) != "false" {
			t.Fatalf("hello = %d args %s", h.Len(), h.Raw(0))
		}
		id := s.ID()
		if err := s.Emit(testCtx(t), "drop-and-emit", "tag-1"); err != nil {
			t.Fatal(err)
		}
		m := recv(t, missed)
		var tag string
		if err := m.Unmarshal(0, &tag); err != nil || tag != "tag-1" {
			t.Errorf("missed event %q %v", tag, err)
		}
		h2 := recv(t, hello)
		if string(h2.Raw(0)) != "true" {
			t.Errorf("server says recovered = %s", h2.Raw(0))
		}
		if !s.Recovered() || s.ID() != id {
			t.Errorf("Recovered %v, id %q then %q", s.Recovered(), id, s.ID())
		}
	})
}

func TestStaysAliveAcrossPings(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		reasons := make(chan client.DisconnectReason, 1)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s *client.Socket) {
			s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
		})
		// The server pings every 500ms and closes the connection when no pong came within
		// 5s; the client closes it when no ping came within 5.5s. Both must keep it open.
		select {
		case r := <-reasons:
			t.Fatalf("disconnected: %s", r)
		case <-time.After(6 * time.Second):
		}
		if _, err := s.EmitWithAck(testCtx(t), "ack"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDialErrors(t *testing.T) {
	ctx := testCtx(t)
	for _, u := range []string{"ftp://x", "http://", "::bad"} {
		if _, err := client.Dial(ctx, u, client.Config{}); err == nil {
			t.Errorf("Dial(%q): no error", u)
		}
	}
	if _, err := client.Dial(ctx, "http://127.0.0.1:1", client.Config{Transports: []client.Transport{"carrier pigeon"}}); err == nil {
		t.Error("unknown transport accepted")
	}
	for _, m := range modes {
		if _, err := client.Dial(ctx, "http://127.0.0.1:1/", client.Config{Transports: m.trs}); err == nil {
			t.Errorf("%s: Dial to a closed port succeeded", m.name)
		}
	}
	needRef(t)
	if _, err := client.Dial(ctx, refURL(ref.Port, ""), client.Config{Auth: "not an object"}); err == nil {
		t.Error("non-object auth accepted")
	}
}

// TestTrafficDuringUpgrade sends and receives while the polling connection upgrades: nothing is
// lost or reordered across the switch.
func TestTrafficDuringUpgrade(t *testing.T) {
	needRef(t)
	for range 3 {
		const n = 300
		seq := make(chan int, n)
		ctx := testCtx(t)
		m, err := client.NewManager(refURL(ref.Port, ""), client.Config{})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Socket("/", nil)
		s.On("seq", func(_ context.Context, a client.Args) []any {
			var i int
			_ = a.Unmarshal(0, &i)
			seq <- i
			return nil
		})
		if err := s.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		acks := make(chan error, 1)
		go func() {
			for i := range 50 {
				a, err := s.EmitWithAck(ctx, "ack", i)
				if err == nil && string(a.Raw(0)) != fmt.Sprint(i) {
					err = fmt.Errorf("ack %d answered %s", i, a.Raw(0))
				}
				if err != nil {
					acks <- err
					return
				}
			}
			acks <- nil
		}()
		if err := s.Emit(ctx, "count", n); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if got := recv(t, seq); got != i {
				t.Fatalf("event %d has seq %d", i, got)
			}
		}
		if err := recv(t, acks); err != nil {
			t.Fatal(err)
		}
		if err := client.WaitUpgraded(ctx, m); err != nil {
			t.Fatal(err)
		}
		_ = m.Close()
	}
}

func BenchmarkEmitWithAck(b *testing.B) {
	if ref.noNode {
		b.Skip("node is not installed")
	}
	if ref.err != nil {
		b.Fatal(ref.err)
	}
	for _, m := range modes[:2] {
		b.Run(m.name, func(b *testing.B) {
			s, err := client.Dial(b.Context(), refURL(ref.Port, ""), client.Config{Transports: m.trs})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Manager().Close()
			payload := map[string]any{"msg": "hello", "n": 1}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.EmitWithAck(b.Context(), "ack", payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestCloseFromHandler(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		closed := make(chan struct{})
		reasons := make(chan client.DisconnectReason, 1)
		s := dial(t, ref.Port, "/", client.Config{Transports: trs}, func(s *client.Socket) {
			s.On("echo", func(context.Context, client.Args) []any {
				_ = s.Manager().Close()
				close(closed)
				return nil
			})
			s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
		})
		if err := s.Emit(testCtx(t), "echo", 1); err != nil {
			t.Fatal(err)
		}
		recv(t, closed)
		if r := recv(t, reasons); r != client.ReasonForcedClose {
			t.Errorf("reason %q", r)
		}
		if err := s.Connect(testCtx(t)); !errors.Is(err, client.ErrClosed) {
			t.Errorf("Connect after Close: %v", err)
		}
	})
}

func TestReconnectEveryNamespace(t *testing.T) {
	forEachTransport(t, func(t *testing.T, trs []client.Transport) {
		ctx := testCtx(t)
		m, err := client.NewManager(refURL(ref.Port, ""), client.Config{Transports: trs, Reconnection: client.Reconnection{Delay: 20 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		root := m.Socket("/", nil)
		admin := m.Socket("/admin", map[string]string{"token": "secret"})
		welcomes := make(chan struct{}, 4)
		admin.On("welcome", func(context.Context, client.Args) []any { welcomes <- struct{}{}; return nil })
		adminUp := make(chan struct{}, 4)
		admin.OnConnect(func() { adminUp <- struct{}{} })
		rootUp := make(chan struct{}, 4)
		root.OnConnect(func() { rootUp <- struct{}{} })
		for _, s := range []*client.Socket{root, admin} {
			if err := s.Connect(ctx); err != nil {
				t.Fatal(err)
			}
		}
		recv(t, adminUp)
		recv(t, rootUp)
		recv(t, welcomes)
		if err := root.Emit(ctx, "drop-me"); err != nil {
			t.Fatal(err)
		}
		// admin comes back on its own, with its auth (the middleware accepts it again)
		recv(t, adminUp)
		recv(t, welcomes)
		if a, err := admin.EmitWithAck(ctx, "ack", "again"); err != nil || string(a.Raw(0)) != `"again"` {
			t.Fatalf("admin after reconnection: %s %v", a.Raw(0), err)
		}
		recv(t, rootUp)
		if _, err := root.EmitWithAck(ctx, "ack"); err != nil {
			t.Fatal(err)
		}
	})
}
