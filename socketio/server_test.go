package socketio_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

func TestRoomsAndBroadcastOverWebSocket(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	ns := srv.Of("/chat")
	ready := make(chan struct{}, 8)
	ns.OnConnection(func(s *socketio.Socket) {
		var auth struct{ Room socketio.Room }
		_ = json.Unmarshal(s.Handshake().Auth, &auth)
		if auth.Room != "" {
			s.Join(auth.Room)
		}
		ready <- struct{}{}
	})
	ns.On("say", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room socketio.Room
		if err := args.Unmarshal(0, &room); err != nil {
			return nil, err
		}
		return nil, s.To(room).Emit(ctx, "said", args.Values()[1:]...)
	})
	ns.On("all", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		return nil, s.Broadcast().Emit(ctx, "all", args.Values()...)
	})
	rooms := []string{"a", "a", "b"}
	var ws []*wire
	for _, r := range rooms {
		w := dial(t, url)
		w.send(`0/chat,{"room":"` + r + `"}`)
		w.expectPrefix(`0/chat,{"sid":"`)
		ws = append(ws, w)
	}
	for range rooms {
		<-ready
	}
	ws[0].send(`2/chat,["say","a","hello",{"n":1}]`)
	ws[1].expect(`2/chat,["said","hello",{"n":1}]`)
	ws[2].send(`2/chat,["say","a","from b"]`)
	ws[0].expect(`2/chat,["said","from b"]`)
	ws[1].expect(`2/chat,["said","from b"]`)
	ws[1].send(`2/chat,["all",true]`)
	ws[0].expect(`2/chat,["all",true]`)
	ws[2].expect(`2/chat,["all",true]`)
	if err := ns.In("a").Except("b").Emit(context.Background(), "bin", []byte{9}); err != nil {
		t.Fatal(err)
	}
	for _, w := range ws[:2] {
		w.expect(`2/chat,1-["bin",{"_placeholder":true,"num":0}]`[:0] + `51-/chat,["bin",{"_placeholder":true,"num":0}]`)
		if b := w.recvBin(); len(b) != 1 || b[0] != 9 {
			t.Fatalf("attachment %v", b)
		}
	}
	for _, w := range ws {
		w.noMessage(50 * time.Millisecond)
	}
	for _, w := range ws {
		w.close()
	}
	waitFor(t, func() bool { return ns.Len() == 0 && srv.Engine().Count() == 0 })
}

// waitFor polls cond until it holds (bounded); used only for server-side
// cleanup that has no observable event.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEmitWithAckOverWebSocket(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	results := make(chan string, 4)
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		ctx, cancel := context.WithTimeout(s.Context(), 5*time.Second)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "ping", "x", []byte{1})
		if err != nil {
			results <- "error: " + err.Error()
			return
		}
		v, _ := ack.Value(0)
		results <- fmt.Sprintf("%v %s", ack.Len(), v)
		ctx2, cancel2 := context.WithTimeout(s.Context(), 30*time.Millisecond)
		defer cancel2()
		_, err = s.EmitWithAck(ctx2, "ignored")
		results <- fmt.Sprint(errors.Is(err, context.DeadlineExceeded))
	})
	w := dial(t, url)
	w.send("0")
	w.expectPrefix("0")
	w.expect(`51-0["ping","x",{"_placeholder":true,"num":0}]`)
	w.recvBin()
	w.send(`61-0[{"_placeholder":true,"num":0}]`)
	w.sendBin([]byte("pong"))
	if r := <-results; r != "1 pong" {
		t.Fatalf("ack = %q", r)
	}
	w.expect(`22["ignored"]`) // socket acks use even ids
	if r := <-results; r != "true" {
		t.Fatalf("timeout result %q", r)
	}
	w.send(`32[]`)  // late ack: ignored
	w.send(`342[]`) // unknown id: ignored
	w.send(`2["still alive"]`)
	w.noMessage(50 * time.Millisecond)
}

func TestDisconnectReasonsOverWebSocket(t *testing.T) {
	srv, url := newServer(t, socketio.Config{
		Engine: engineio.Config{PingInterval: 200 * time.Millisecond, PingTimeout: 300 * time.Millisecond},
	})
	reasons := make(chan socketio.DisconnectReason, 4)
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		s.OnDisconnect(func(r socketio.DisconnectReason) { reasons <- r })
	})
	connect := func() *wire {
		w := dial(t, url)
		w.send("0")
		w.expectPrefix("0")
		return w
	}
	w := connect()
	w.close()
	if r := <-reasons; r != socketio.ReasonTransportClose {
		t.Fatalf("reason %q", r)
	}
	w = connect()
	w.stopPongs()
	if r := <-reasons; r != socketio.ReasonPingTimeout {
		t.Fatalf("reason %q", r)
	}
	w.waitClosed()
	w = connect()
	w.send("1")
	if r := <-reasons; r != socketio.ReasonClientNamespaceDisconnect {
		t.Fatalf("reason %q", r)
	}
	w.send("0")
	w.expectPrefix("0")
	w.send(`2["x"`)
	if r := <-reasons; r != socketio.ReasonParseError {
		t.Fatalf("reason %q", r)
	}
	w.waitClosed()
	// Closes this side decides report their own reason through the engine.
	w = connect()
	w.send("0") // a second CONNECT to a joined namespace
	if r := <-reasons; r != socketio.ReasonForcedServerClose {
		t.Fatalf("reason %q", r)
	}
	w.waitClosed()
	w = connect()
	w.send("4") // a CONNECT_ERROR from a client
	if r := <-reasons; r != socketio.ReasonParseError {
		t.Fatalf("reason %q", r)
	}
	w.waitClosed()
	w = connect()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-reasons; r != socketio.ReasonServerShuttingDown {
		t.Fatalf("reason %q", r)
	}
	w.waitClosed()
	if n := srv.Of("/").Len(); n != 0 {
		t.Fatalf("%d sockets after shutdown", n)
	}
	if err := srv.Shutdown(ctx); !errors.Is(err, socketio.ErrServerClosed) {
		t.Fatalf("second shutdown: %v", err)
	}
}

func TestRecoveryOverWebSocket(t *testing.T) {
	srv, url := newServer(t, socketio.Config{Recovery: &socketio.RecoveryConfig{}})
	ns := srv.Of("/")
	socks := make(chan *socketio.Socket, 2)
	ns.OnConnection(func(s *socketio.Socket) {
		if !s.Recovered() {
			s.Join("news")
		}
		socks <- s
	})
	w := dial(t, url)
	w.send("0")
	var hello struct{ SID, PID string }
	if err := json.Unmarshal([]byte(w.expectPrefix("0")[1:]), &hello); err != nil || hello.PID == "" {
		t.Fatalf("connect payload: %v %+v", err, hello)
	}
	<-socks
	ctx := context.Background()
	_ = ns.To("news").Emit(ctx, "n", 1)
	m := w.expectPrefix(`2["n",1,"`)
	offset := strings.TrimSuffix(strings.TrimPrefix(m, `2["n",1,"`), `"]`)
	w.close()
	waitFor(t, func() bool { return ns.Len() == 0 })
	_ = ns.To("news").Emit(ctx, "n", 2)
	_ = ns.To("elsewhere").Emit(ctx, "n", 3)
	_ = ns.Emit(ctx, "n", 4)

	w2 := dial(t, url)
	w2.send(`0{"pid":"` + hello.PID + `","offset":"` + offset + `"}`)
	w2.expectPrefix(`0{"sid":"` + hello.SID + `","pid":"` + hello.PID + `"}`)
	w2.expectPrefix(`2["n",2,"`)
	w2.expectPrefix(`2["n",4,"`)
	if s := <-socks; !s.Recovered() || string(s.ID()) != hello.SID {
		t.Fatalf("recovered %v id %v", s.Recovered(), s.ID())
	}
	w2.noMessage(30 * time.Millisecond)
}

func TestPollingTransport(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	srv.Of("/").On("echo", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		return args.Values(), nil
	})
	open := pollingGet(t, url+"/socket.io/?EIO=4&transport=polling")
	var hs struct{ SID string }
	if err := json.Unmarshal([]byte(open[1:]), &hs); err != nil {
		t.Fatal(err)
	}
	u := url + "/socket.io/?EIO=4&transport=polling&sid=" + hs.SID
	pollingPost(t, u, "40")
	if got := pollingGet(t, u); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("got %q", got)
	}
	pollingPost(t, u, "421[\"echo\",\"a\"]\x1e422[\"echo\",\"b\"]")
	got := ""
	for strings.Count(got, "43") < 2 {
		got += pollingGet(t, u) + "\x1e"
	}
	if !strings.Contains(got, `431["a"]`) || !strings.Contains(got, `432["b"]`) {
		t.Fatalf("got %q", got)
	}
	// Binary over polling: attachments travel as base64 records.
	pollingPost(t, u, "451-3[\"echo\",{\"_placeholder\":true,\"num\":0}]\x1ebAQID")
	if got := pollingGet(t, u); got != "461-3[{\"_placeholder\":true,\"num\":0}]\x1ebAQID" {
		t.Fatalf("got %q", got)
	}
}

func TestMiddlewareAndDynamicNamespaces(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	srv.Use(func(ctx context.Context, h *socketio.Handshake) error {
		if h.Header == nil || h.Address == "" || h.Query.Get("EIO") != "4" || h.Time.IsZero() {
			return &socketio.ConnectError{Message: "bad handshake"}
		}
		var auth struct{ Token string }
		_ = json.Unmarshal(h.Auth, &auth)
		if auth.Token != "secret" {
			return &socketio.ConnectError{Message: "unauthorized", Data: map[string]any{"reason": "token"}}
		}
		return nil
	})
	srv.OfMatch(func(name string) bool { return strings.HasPrefix(name, "/room-") }, func(ns *socketio.Namespace) {
		ns.OnConnection(func(s *socketio.Socket) { _ = s.Emit(s.Context(), "welcome", ns.Name()) })
	})
	w := dial(t, url)
	w.send(`0/room-1,{"token":"nope"}`)
	w.expect(`4/room-1,{"data":{"reason":"token"},"message":"unauthorized"}`)
	w.send(`0/room-1,{"token":"secret"}`)
	w.expectPrefix(`0/room-1,{"sid":"`)
	w.expect(`2/room-1,["welcome","/room-1"]`)
	w.send(`0/other,{"token":"secret"}`)
	w.expect(`4/other,{"message":"Invalid namespace"}`)
}

// TestConcurrentStress runs many clients emitting while the server
// broadcasts, under -race.
func TestConcurrentStress(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	ns := srv.Of("/")
	var handled sync.WaitGroup
	ns.On("msg", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		defer handled.Done()
		s.Join("r")
		_ = s.Broadcast().Emit(ctx, "fan", args.Values()...)
		return []any{"ok"}, nil
	})
	const clients, msgs = 8, 20
	handled.Add(clients * msgs)
	var wg sync.WaitGroup
	for i := range clients {
		w := dial(t, url)
		w.send("0")
		w.expectPrefix("0")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range msgs {
				if err := w.c.WriteMessage(false, fmt.Appendf(nil, `42%d["msg",%d,%d]`, j, i, j)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			for range w.in {
			}
		}()
	}
	var bg sync.WaitGroup
	bg.Add(1)
	stop := make(chan struct{})
	go func() {
		defer bg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				_ = ns.To("r").Volatile().Emit(context.Background(), "tick", 1)
				_ = ns.Emit(context.Background(), "tock", []byte{1})
			}
		}
	}()
	wg.Wait()
	handled.Wait()
	close(stop)
	bg.Wait()
}
