package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func connectMain(t *testing.T, tc *testConn, nsp string) string {
	t.Helper()
	if nsp == "/" {
		tc.send("0")
		return tc.expect(`0{"sid":"`)
	}
	tc.send("0" + nsp + ",")
	return tc.expect("0" + nsp + `,{"sid":"`)
}

func TestPipeConnectEventAck(t *testing.T) {
	srv := newTestServer(t, Config{})
	srv.Of("/").OnConnection(func(s *Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
		s.On("message", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			return nil, s.Emit(ctx, "message-back", args.Values()...)
		})
		s.On("message-with-ack", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			return args.Values(), nil
		})
	})
	tc := dialPipe(t, srv)
	tc.send(`0{"token":"123"}`)
	tc.expect(`0{"sid":"`)
	tc.expect(`2["auth",{"token":"123"}]`)
	tc.send(`2["message",1,"2",{"3":[true]}]`)
	if got := tc.expect("2"); got != `2["message-back",1,"2",{"3":[true]}]` {
		t.Fatalf("got %s", got)
	}
	tc.send(`2456["message-with-ack",1,"2",{"3":[false]}]`)
	if got := tc.expect("3"); got != `3456[1,"2",{"3":[false]}]` {
		t.Fatalf("got %s", got)
	}
	// binary echo
	tc.send(`52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
	tc.sendBin([]byte{1, 2, 3})
	tc.sendBin([]byte{4, 5, 6})
	if got := tc.expect("5"); got != `52-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]` {
		t.Fatalf("got %s", got)
	}
	if m := tc.recv(); !m.Binary || string(m.Data) != "\x01\x02\x03" {
		t.Fatalf("attachment 0 = %v", m)
	}
	if m := tc.recv(); !m.Binary || string(m.Data) != "\x04\x05\x06" {
		t.Fatalf("attachment 1 = %v", m)
	}
	tc.send(`52-12["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
	tc.sendBin([]byte{1})
	tc.sendBin([]byte{2})
	if got := tc.expect("6"); got != `62-12[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]` {
		t.Fatalf("got %s", got)
	}
	tc.recv()
	tc.recv()
	tc.close()
}

func TestPipeInvalidNamespaceAndDynamic(t *testing.T) {
	srv := newTestServer(t, Config{})
	srv.OfMatch(func(name string) bool { return strings.HasPrefix(name, "/dyn-") }, func(ns *Namespace) {
		ns.OnConnection(func(s *Socket) { _ = s.Emit(s.Context(), "hello", ns.Name()) })
	})
	tc := dialPipe(t, srv)
	tc.send("0/random")
	if got := tc.expect("4"); got != `4/random,{"message":"Invalid namespace"}` {
		t.Fatalf("got %s", got)
	}
	tc.send("0/dyn-1,")
	tc.expect(`0/dyn-1,{"sid":"`)
	if got := tc.expect("2"); got != `2/dyn-1,["hello","/dyn-1"]` {
		t.Fatalf("got %s", got)
	}
	if srv.lookup("/dyn-1") == nil {
		t.Fatal("dynamic namespace not kept")
	}
	tc.close()
}

type principalKey struct{}

func TestPipeMiddlewares(t *testing.T) {
	srv := newTestServer(t, Config{})
	var order []string
	var mu sync.Mutex
	srv.Use(func(ctx context.Context, h *Handshake) error {
		mu.Lock()
		order = append(order, "server")
		mu.Unlock()
		var auth struct{ Token string }
		_ = json.Unmarshal(h.Auth, &auth)
		switch auth.Token {
		case "bad":
			return &ConnectError{Message: "not authorized", Data: map[string]any{"code": "unauthorized"}}
		case "plain":
			return errors.New("secret detail")
		case "panic":
			panic("boom")
		}
		h.Set(principalKey{}, auth.Token)
		return nil
	})
	admin := srv.Of("/admin")
	admin.Use(func(ctx context.Context, h *Handshake) error {
		mu.Lock()
		order = append(order, "admin")
		mu.Unlock()
		return nil
	})
	got := make(chan any, 1)
	admin.OnConnection(func(s *Socket) { got <- s.Value(principalKey{}) })

	tc := dialPipe(t, srv)
	tc.send(`0/admin,{"token":"bad"}`)
	if m := tc.expect("4"); m != `4/admin,{"data":{"code":"unauthorized"},"message":"not authorized"}` {
		t.Fatalf("got %s", m)
	}
	tc.send(`0/admin,{"token":"plain"}`)
	if m := tc.expect("4"); m != `4/admin,{"message":"internal error"}` {
		t.Fatalf("got %s", m)
	}
	tc.send(`0/admin,{"token":"panic"}`)
	if m := tc.expect("4"); m != `4/admin,{"message":"internal error"}` {
		t.Fatalf("got %s", m)
	}
	tc.send(`0/admin,{"token":"good"}`)
	tc.expect(`0/admin,{"sid":"`)
	if v := <-got; v != "good" {
		t.Fatalf("principal = %v", v)
	}
	mu.Lock()
	if strings.Join(order, ",") != "server,server,server,server,admin" {
		t.Fatalf("order = %v", order)
	}
	mu.Unlock()
	if admin.Len() != 1 {
		t.Fatalf("admin has %d sockets", admin.Len())
	}
	tc.close()
	if admin.Len() != 0 {
		t.Fatalf("admin has %d sockets after close", admin.Len())
	}
}

func TestPipeConnectTimeout(t *testing.T) {
	srv := newTestServer(t, Config{ConnectTimeout: 20 * time.Millisecond})
	tc := dialPipe(t, srv)
	if r := tc.waitClosed(); r != ReasonForcedServerClose {
		t.Fatalf("reason = %q", r)
	}
	// A client that joined a namespace is not closed.
	tc2 := dialPipe(t, srv)
	connectMain(t, tc2, "/")
	select {
	case <-tc2.tr.closedCh:
		t.Fatal("connected client closed by the connect timeout")
	case <-time.After(60 * time.Millisecond):
	}
	tc2.close()
}

func TestPipeParseErrors(t *testing.T) {
	for _, in := range []string{"abc", "42{}", `2abc["x"]`, "0[]", `2["a"`, `3[]`} {
		t.Run(in, func(t *testing.T) {
			srv := newTestServer(t, Config{})
			disc := make(chan DisconnectReason, 1)
			srv.Of("/").OnConnection(func(s *Socket) { s.OnDisconnect(func(r DisconnectReason) { disc <- r }) })
			tc := dialPipe(t, srv)
			connectMain(t, tc, "/")
			tc.send(in)
			if r := tc.waitClosed(); r != ReasonParseError {
				t.Fatalf("reason = %q", r)
			}
			if r := <-disc; r != ReasonParseError {
				t.Fatalf("disconnect reason = %q", r)
			}
		})
	}
}

func TestPipeRoomsBroadcast(t *testing.T) {
	srv := newTestServer(t, Config{})
	ns := srv.Of("/")
	joined := make(chan *Socket, 3)
	ns.OnConnection(func(s *Socket) {
		var room struct{ Room Room }
		_ = json.Unmarshal(s.Handshake().Auth, &room)
		if room.Room != "" {
			s.Join(room.Room)
		}
		s.On("shout", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			return nil, s.Broadcast().Emit(ctx, "shouted", args.Values()...)
		})
		s.On("to-room", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			var r Room
			_ = args.Unmarshal(0, &r)
			return nil, s.To(r).Emit(ctx, "room-msg", string(s.ID()))
		})
		joined <- s
	})
	a, b, c := dialPipe(t, srv), dialPipe(t, srv), dialPipe(t, srv)
	a.send(`0{"room":"r1"}`)
	a.expect("0")
	b.send(`0{"room":"r1"}`)
	b.expect("0")
	c.send(`0{}`)
	c.expect("0")
	var socks []*Socket
	for range 3 {
		socks = append(socks, <-joined)
	}
	a.send(`2["shout","hi"]`)
	b.expect(`2["shouted","hi"]`)
	c.expect(`2["shouted","hi"]`)
	a.send(`2["to-room","r1"]`)
	b.expect(`2["room-msg",`)
	// Namespace-level selections.
	if err := ns.To("r1").Except("r2").Emit(context.Background(), "x", 1); err != nil {
		t.Fatal(err)
	}
	a.expect(`2["x",1]`)
	b.expect(`2["x",1]`)
	if err := ns.Except("r1").Emit(context.Background(), "y"); err != nil {
		t.Fatal(err)
	}
	c.expect(`2["y"]`)
	// To a socket id, and To several rooms without duplicates.
	var sid Room
	for _, s := range socks {
		if len(s.Rooms()) == 1 {
			sid = Room(s.ID())
		}
	}
	if err := ns.To(sid, "r1").Emit(context.Background(), "z"); err != nil {
		t.Fatal(err)
	}
	a.expect(`2["z"]`)
	b.expect(`2["z"]`)
	c.expect(`2["z"]`)
	if err := ns.Emit(context.Background(), "connect"); !errors.Is(err, ErrReservedEvent) {
		t.Fatalf("reserved: %v", err)
	}
	for _, tc := range []*testConn{a, b, c} {
		select {
		case m := <-tc.tr.out:
			t.Fatalf("unexpected message %q", m.Data)
		default:
		}
	}
	if n := len(ns.To("r1").Sockets()); n != 2 {
		t.Fatalf("r1 has %d sockets", n)
	}
	ns.In("r1").SocketsLeave("r1")
	if n := len(ns.To("r1").Sockets()); n != 0 {
		t.Fatalf("r1 has %d sockets after leave", n)
	}
	a.close()
	b.close()
	c.close()
	ma := ns.adapter.(*MemoryAdapter)
	if len(ma.rooms) != 0 || len(ma.sids) != 0 || ns.Len() != 0 {
		t.Fatalf("leak: rooms %v sids %v sockets %d", ma.rooms, ma.sids, ns.Len())
	}
}

func TestPipeEmitWithAckFromHandler(t *testing.T) {
	srv := newTestServer(t, Config{})
	result := make(chan string, 2)
	srv.Of("/").On("ask", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "question", "q")
		if err != nil {
			return nil, err
		}
		var answer string
		if err := ack.Unmarshal(0, &answer); err != nil {
			return nil, err
		}
		result <- answer
		return []any{"got " + answer}, nil
	})
	srv.Of("/").On("ask-timeout", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		_, err := s.EmitWithAck(ctx, "question", "never answered")
		if errors.Is(err, context.DeadlineExceeded) {
			result <- "deadline"
		}
		return nil, nil
	})
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	tc.send(`27["ask"]`)
	if m := tc.expect("2"); m != `20["question","q"]` {
		t.Fatalf("got %s", m)
	}
	tc.send(`399["late"]`) // unknown ack id: ignored
	tc.send(`30["yes"]`)
	if m := tc.expect("3"); m != `37["got yes"]` {
		t.Fatalf("got %s", m)
	}
	if r := <-result; r != "yes" {
		t.Fatal(r)
	}
	tc.send(`2["ask-timeout"]`)
	tc.expect(`22["question"`) // a socket's own acks take the even ids
	if r := <-result; r != "deadline" {
		t.Fatal(r)
	}
	tc.send(`32["too late"]`)
	tc.close()
}

func TestPipeEmitWithAckDisconnect(t *testing.T) {
	srv := newTestServer(t, Config{})
	got := make(chan error, 1)
	srv.Of("/").OnConnection(func(s *Socket) {
		go func() {
			_, err := s.EmitWithAck(context.Background(), "q")
			got <- err
		}()
	})
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	tc.expect(`20["q"]`)
	tc.close()
	if err := <-got; !errors.Is(err, ErrDisconnected) {
		t.Fatalf("err = %v", err)
	}
}

type ackErr struct{}

func (ackErr) Error() string  { return "validation failed" }
func (ackErr) AckArgs() []any { return []any{map[string]any{"error": "bad input"}} }

func TestPipeHandlerErrorsAndPanics(t *testing.T) {
	srv := newTestServer(t, Config{})
	ns := srv.Of("/")
	ns.On("panic", func(ctx context.Context, s *Socket, args Args) ([]any, error) { panic("boom") })
	ns.On("fail", func(ctx context.Context, s *Socket, args Args) ([]any, error) { return nil, errors.New("secret") })
	ns.On("invalid", func(ctx context.Context, s *Socket, args Args) ([]any, error) { return nil, ackErr{} })
	ns.On("bye", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
		return nil, ReasonServerNamespaceDisconnect
	})
	var anyCalls []string
	ns.OnAny(func(ctx context.Context, s *Socket, event string, args Args) ([]any, error) {
		anyCalls = append(anyCalls, event)
		return []any{event, args.Len()}, nil
	})
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	tc.send(`21["panic"]`)
	if m := tc.expect("3"); m != `31[{"error":{"message":"internal error"}}]` {
		t.Fatalf("got %s", m)
	}
	tc.send(`2["panic"]`) // no ack requested: nothing sent, connection stays
	tc.send(`22["fail"]`)
	if m := tc.expect("3"); m != `32[{"error":{"message":"internal error"}}]` {
		t.Fatalf("got %s", m)
	}
	tc.send(`23["invalid"]`)
	if m := tc.expect("3"); m != `33[{"error":"bad input"}]` {
		t.Fatalf("got %s", m)
	}
	tc.send(`24["other",1,2]`)
	if m := tc.expect("3"); m != `34["other",2]` {
		t.Fatalf("got %s", m)
	}
	tc.send(`2["bye"]`)
	tc.expect("1")
	if ns.Len() != 0 {
		t.Fatal("socket still connected")
	}
	tc.close()
}

func TestPipeDisconnects(t *testing.T) {
	srv := newTestServer(t, Config{})
	reasons := make(chan DisconnectReason, 4)
	socks := make(chan *Socket, 4)
	for _, name := range []string{"/", "/custom"} {
		srv.Of(name).OnConnection(func(s *Socket) {
			s.OnDisconnect(func(r DisconnectReason) { reasons <- r })
			socks <- s
		})
	}
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	connectMain(t, tc, "/custom")
	<-socks
	<-socks
	tc.send("1/custom,")
	if r := <-reasons; r != ReasonClientNamespaceDisconnect {
		t.Fatalf("reason %q", r)
	}
	connectMain(t, tc, "/custom")
	s := <-socks
	s.Disconnect(false)
	tc.expect("1/custom,")
	if r := <-reasons; r != ReasonServerNamespaceDisconnect {
		t.Fatalf("reason %q", r)
	}
	if err := s.Emit(context.Background(), "x"); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("emit after disconnect: %v", err)
	}
	connectMain(t, tc, "/custom")
	s = <-socks
	s.Disconnect(true)
	got := map[string]bool{}
	got[tc.expect("1")] = true
	got[tc.expect("1")] = true
	if !got["1"] || !got["1/custom,"] {
		t.Fatalf("got %v", got)
	}
	tc.waitClosed()
	for range 2 {
		if r := <-reasons; r != ReasonServerNamespaceDisconnect {
			t.Fatalf("reason %q", r)
		}
	}
	// Transport close.
	tc2 := dialPipe(t, srv)
	connectMain(t, tc2, "/")
	<-socks
	tc2.close()
	if r := <-reasons; r != ReasonTransportClose {
		t.Fatalf("reason %q", r)
	}
}

func TestPipeRecovery(t *testing.T) {
	srv := newTestServer(t, Config{Recovery: &RecoveryConfig{}})
	ns := srv.Of("/")
	socks := make(chan *Socket, 4)
	ns.OnConnection(func(s *Socket) {
		if !s.Recovered() {
			s.Join("room1")
			s.Set("user", "alice")
		}
		socks <- s
	})
	tc := dialPipe(t, srv)
	tc.send("0")
	connectMsg := tc.expect(`0{"sid":"`)
	var hello struct{ SID, PID string }
	if err := json.Unmarshal([]byte(connectMsg[1:]), &hello); err != nil || hello.PID == "" {
		t.Fatalf("connect payload %s: %v", connectMsg, err)
	}
	s1 := <-socks
	ctx := context.Background()
	if err := ns.Emit(ctx, "news", 1); err != nil {
		t.Fatal(err)
	}
	m := tc.expect(`2["news",1,"`)
	var args []any
	_ = json.Unmarshal([]byte(m[1:]), &args)
	offset := args[len(args)-1].(string)
	tc.close()
	if ns.Len() != 0 {
		t.Fatal("socket not removed")
	}
	// Missed while disconnected: a room broadcast, an excluded one, a volatile one.
	_ = ns.To("room1").Emit(ctx, "news", 2)
	_ = ns.To("other").Emit(ctx, "news", 3)
	_ = ns.Volatile().Emit(ctx, "news", 4)
	_ = ns.Emit(ctx, "news", []byte{5})

	tc2 := dialPipe(t, srv)
	tc2.send(`0{"pid":"` + hello.PID + `","offset":"` + offset + `"}`)
	m = tc2.expect(`0{"sid":"`)
	var hello2 struct{ SID, PID string }
	_ = json.Unmarshal([]byte(m[1:]), &hello2)
	if hello2.SID != hello.SID || hello2.PID != hello.PID {
		t.Fatalf("recovered ids %+v, want %+v", hello2, hello)
	}
	tc2.expect(`2["news",2,"`)
	tc2.expect(`51-["news",{"_placeholder":true,"num":0},"`)
	if b := tc2.recv(); !b.Binary || b.Data[0] != 5 {
		t.Fatalf("attachment %v", b)
	}
	s2 := <-socks
	if !s2.Recovered() || s2.ID() != s1.ID() || s2.Get("user") != "alice" {
		t.Fatalf("recovered=%v id=%v user=%v", s2.Recovered(), s2.ID(), s2.Get("user"))
	}
	if rooms := s2.Rooms(); len(rooms) != 2 || rooms[1] != "room1" {
		t.Fatalf("rooms %v", rooms)
	}
	// A direct emit also carries an offset.
	_ = s2.Emit(ctx, "direct")
	tc2.expect(`2["direct","`)
	// The session was consumed: a second restore with the same pid fails.
	tc2.close()
	tc3 := dialPipe(t, srv)
	tc3.send(`0{"pid":"nope","offset":"` + offset + `"}`)
	m = tc3.expect(`0{"sid":"`)
	if strings.Contains(m, hello.SID) {
		t.Fatal("unknown pid recovered")
	}
	if s3 := <-socks; s3.Recovered() {
		t.Fatal("recovered with an unknown pid")
	}
	tc3.close()
}

func TestPipeRecoveryExpired(t *testing.T) {
	srv := newTestServer(t, Config{Recovery: &RecoveryConfig{MaxDisconnectionDuration: 10 * time.Millisecond}})
	ns := srv.Of("/")
	tc := dialPipe(t, srv)
	tc.send("0")
	var hello struct{ SID, PID string }
	_ = json.Unmarshal([]byte(tc.expect("0")[1:]), &hello)
	_ = ns.Emit(context.Background(), "a")
	m := tc.expect(`2["a","`)
	offset := m[len(`2["a","`) : len(m)-2]
	tc.close()
	time.Sleep(20 * time.Millisecond) // the recovery window is wall-clock time
	tc2 := dialPipe(t, srv)
	tc2.send(`0{"pid":"` + hello.PID + `","offset":"` + offset + `"}`)
	if strings.Contains(tc2.expect("0"), hello.SID) {
		t.Fatal("expired session recovered")
	}
	tc2.close()
}

func TestPipeQueueOverflow(t *testing.T) {
	srv := newTestServer(t, Config{MaxPendingEvents: 2})
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	srv.Of("/").On("slow", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil, nil
	})
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	tc.send(`2["slow"]`)
	<-started
	tc.send(`2["slow"]`)
	tc.send(`2["slow"]`)
	tc.send(`2["slow"]`)
	if r := tc.waitClosed(); r != ReasonForcedServerClose {
		t.Fatalf("reason %q", r)
	}
	close(release)
}

func TestPipeVolatile(t *testing.T) {
	srv := newTestServer(t, Config{})
	socks := make(chan *Socket, 1)
	srv.Of("/").OnConnection(func(s *Socket) { socks <- s })
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	s := <-socks
	tc.tr.mu.Lock()
	tc.tr.busy = true
	tc.tr.mu.Unlock()
	_ = s.Volatile().Emit(context.Background(), "dropped")
	_ = srv.Of("/").Volatile().Emit(context.Background(), "dropped")
	_ = s.Emit(context.Background(), "kept")
	tc.expect(`2["kept"]`)
	tc.close()
}

func TestPipeOnEmit(t *testing.T) {
	errNope := errors.New("nope")
	var seen []string
	var mu sync.Mutex
	srv := newTestServer(t, Config{OnEmit: func(ns *Namespace, event string, args []any) ([]any, error) {
		mu.Lock()
		seen = append(seen, ns.Name()+" "+event)
		mu.Unlock()
		if event == "forbidden" {
			return nil, errNope
		}
		if event == "replaced" {
			return []any{json.RawMessage(`"by the hook"`)}, nil
		}
		return args, nil
	}})
	socks := make(chan *Socket, 1)
	srv.Of("/").OnConnection(func(s *Socket) { socks <- s })
	tc := dialPipe(t, srv)
	connectMain(t, tc, "/")
	s := <-socks
	ctx := context.Background()
	if err := s.Emit(ctx, "forbidden"); !errors.Is(err, errNope) {
		t.Fatalf("emit: %v", err)
	}
	if err := srv.Of("/").Emit(ctx, "forbidden"); !errors.Is(err, errNope) {
		t.Fatalf("broadcast: %v", err)
	}
	if _, err := s.EmitWithAck(ctx, "forbidden"); !errors.Is(err, errNope) {
		t.Fatalf("emit with ack: %v", err)
	}
	if err := s.Emit(ctx, "fine"); err != nil {
		t.Fatal(err)
	}
	tc.expect(`2["fine"]`)
	if err := s.Emit(ctx, "replaced", "original"); err != nil {
		t.Fatal(err)
	}
	tc.expect(`2["replaced","by the hook"]`)
	mu.Lock()
	if len(seen) != 5 {
		t.Fatalf("seen %v", seen)
	}
	mu.Unlock()
	tc.close()
}
