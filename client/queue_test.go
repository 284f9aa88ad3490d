package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

// gate pauses the reads of every connection a stallServer accepted: a server that stops
// reading, as a stalled or overloaded peer does. Writes are not affected.
type gate struct {
	mu   sync.Mutex
	open chan struct{} // closed while reads flow
}

func newGate() *gate {
	g := &gate{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) pause() {
	g.mu.Lock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
	g.mu.Unlock()
}

func (g *gate) resume() {
	g.mu.Lock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
	g.mu.Unlock()
}

func (g *gate) wait() {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	<-ch
}

type gatedListener struct {
	net.Listener
	g *gate

	mu    sync.Mutex
	conns []net.Conn
}

func (l *gatedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.conns = append(l.conns, c)
	l.mu.Unlock()
	return gatedConn{c, l.g}, nil
}

// cut closes every accepted connection: the network went away.
func (l *gatedListener) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.conns = nil
}

type gatedConn struct {
	net.Conn
	g *gate
}

func (c gatedConn) Read(b []byte) (int, error) {
	c.g.wait()
	return c.Conn.Read(b)
}

// stallServer is a socketio server (no heartbeat during the test) whose connections' reads
// can be paused, and which answers 503 to every request while down is set. Every event it
// receives on "/" is sent on the returned channel as "<event>:<first argument>".
type stallServer struct {
	url  string
	g    *gate
	ln   *gatedListener
	down atomic.Bool
	got  chan string
}

func newStallServer(t *testing.T) *stallServer {
	t.Helper()
	srv, err := socketio.NewServer(socketio.Config{
		Logger: slog.New(slog.DiscardHandler),
		// No ping while the test pauses the server: the pause must not end the session.
		Engine: engineio.Config{PingInterval: time.Minute, PingTimeout: time.Minute},
		// On resume a thousand queued events arrive at once, faster than the handler
		// drains them; the default bound (256) would close the connection.
		MaxPendingEvents: 1 << 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	ss := &stallServer{g: newGate(), got: make(chan string, 1<<16)}
	srv.Of("/").OnAny(func(_ context.Context, _ *socketio.Socket, event string, args socketio.Args) ([]any, error) {
		ss.got <- event + ":" + string(args.Raw(0))
		return nil, nil
	})
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ss.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	ss.ln = &gatedListener{Listener: hs.Listener, g: ss.g}
	hs.Listener = ss.ln
	hs.Start()
	ss.url = hs.URL
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	// Runs before the shutdown above: blocked reads must end for the server to stop.
	t.Cleanup(ss.g.resume)
	return ss
}

// expect waits for the next event the server received and checks it.
func (ss *stallServer) expect(t *testing.T, want string) {
	t.Helper()
	if got := recv(t, ss.got); got != want {
		t.Fatalf("server received %s, want %s", got, want)
	}
}

// A server that stops reading: emits fill the queue up to MaxQueueBytes, then fail with
// ErrQueueFull (volatile ones are dropped), the connection stays up, and once the server
// reads again it receives every accepted event in order and none of the refused ones.
func TestQueueBoundWhenServerStopsReading(t *testing.T) {
	const limit = 64 << 10
	for _, tr := range []client.Transport{client.WebSocket, client.Polling} {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			ss := newStallServer(t)
			ctx := testCtx(t)
			m, err := client.NewManager(ss.url, client.Config{Transports: []client.Transport{tr}, MaxQueueBytes: limit})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = m.Close() })
			s := m.Socket("/", nil)
			disconnected := make(chan client.DisconnectReason, 1)
			s.OnDisconnect(func(r client.DisconnectReason) { disconnected <- r })
			if err := s.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			id := s.ID()

			ss.g.pause()
			pad := strings.Repeat("x", 4000)
			// Fill: a refusal at first only means the writer is behind (over WebSocket the
			// kernel's socket buffers take megabytes before a write blocks), so keep
			// emitting, a tick apart once refused, until refusals persist: the writer is
			// stuck on the paused server. Without the bound every emit would succeed and the
			// loop would end with the test's deadline.
			var (
				accepted []int
				qf       *client.QueueFullError
				seq      int
			)
			for streak := 0; streak < 50; seq++ {
				err := s.Emit(ctx, "seq", seq, pad)
				if q := client.QueuedBytes(m); q > limit {
					t.Fatalf("%d bytes queued, over the %d bound", q, limit)
				}
				if err == nil {
					accepted = append(accepted, seq)
					streak = 0
					continue
				}
				if !errors.Is(err, client.ErrQueueFull) || !errors.As(err, &qf) {
					t.Fatalf("emit %d: %v, want a *QueueFullError", seq, err)
				}
				streak++
				waitTick(t, ctx)
			}
			if qf.Limit != limit || qf.Queued > limit || qf.Queued+qf.Size <= limit || qf.Size < len(pad) {
				t.Fatalf("%+v: inconsistent with the %d bound and a %d-byte argument", qf, limit, len(pad))
			}
			t.Logf("%d of %d events accepted while the server stalled; %v", len(accepted), seq, qf)

			// While the server stays stalled, no emit gets in and nothing grows.
			for i := range 200 {
				if err := s.Emit(ctx, "seq", seq+i, pad); !errors.Is(err, client.ErrQueueFull) {
					t.Fatalf("emit while stalled: %v, want ErrQueueFull", err)
				}
				if _, err := s.EmitWithAck(ctx, "seq", -1, pad); !errors.Is(err, client.ErrQueueFull) {
					t.Fatalf("emit with ack while stalled: %v, want ErrQueueFull", err)
				}
				if err := s.Volatile().Emit(ctx, "vol", i); err != nil {
					t.Fatalf("volatile emit while stalled: %v, want nil (dropped)", err)
				}
			}
			if q := client.QueuedBytes(m); q > limit || q+qf.Size <= limit {
				t.Fatalf("%d bytes queued after the refusals; bound %d", q, limit)
			}
			if !s.Connected() || s.ID() != id {
				t.Fatal("the socket did not stay connected")
			}

			ss.g.resume()
			for _, n := range accepted {
				ss.expect(t, fmt.Sprintf("seq:%d", n))
			}
			// Refused or dropped events never arrive: the next one is the one sent now.
			// The last batch's bytes are released when its write returns, just after the
			// server read it: retry until the queue has room (bounded by ctx).
			for {
				err := s.Emit(ctx, "seq", "after")
				if err == nil {
					break
				}
				if !errors.Is(err, client.ErrQueueFull) {
					t.Fatal(err)
				}
				waitTick(t, ctx)
			}
			ss.expect(t, `seq:"after"`)

			// With nothing queued a volatile event is sent.
			for client.QueuedBytes(m) != 0 {
				waitTick(t, ctx)
			}
			if err := s.Volatile().Emit(ctx, "vol", "idle"); err != nil {
				t.Fatal(err)
			}
			ss.expect(t, `vol:"idle"`)
			select {
			case r := <-disconnected:
				t.Fatalf("disconnected (%s); the connection should survive a full queue", r)
			default:
			}
			if !s.Connected() || s.ID() != id || m.Transport() != tr {
				t.Fatalf("connection changed: connected %v, id %s (was %s), transport %s", s.Connected(), s.ID(), id, m.Transport())
			}
		})
	}
}

// waitTick waits a millisecond, or fails when ctx ends: the step of a poll with a deadline.
func waitTick(t *testing.T, ctx context.Context) {
	t.Helper()
	tm := time.NewTimer(time.Millisecond)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
		t.Fatal("timed out polling")
	}
}

// One event larger than the bound is refused even on an idle connection, volatile or not, and
// the connection stays usable.
func TestQueueBoundOversizedEvent(t *testing.T) {
	ss := newStallServer(t)
	ctx := testCtx(t)
	const limit = 1000
	s, err := client.Dial(ctx, ss.url, client.Config{Transports: wsOnly, MaxQueueBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Manager().Close()
	big := make([]byte, limit) // an attachment: its bytes count too
	var qf *client.QueueFullError
	if err := s.Emit(ctx, "big", big); !errors.As(err, &qf) || !errors.Is(err, client.ErrQueueFull) {
		t.Fatalf("oversized emit: %v, want a *QueueFullError", err)
	}
	// Queued may be a few bytes: the CONNECT packet's write returns just after the server
	// answered it.
	if qf.Size <= limit || qf.Limit != limit {
		t.Fatalf("%+v: want Size over Limit %d", qf, limit)
	}
	for client.QueuedBytes(s.Manager()) != 0 { // idle: a busy connection drops volatile events
		waitTick(t, ctx)
	}
	if err := s.Volatile().Emit(ctx, "big", big); !errors.Is(err, client.ErrQueueFull) {
		t.Fatalf("oversized volatile emit: %v, want ErrQueueFull (it can never be sent)", err)
	}
	if err := s.Emit(ctx, "small", 1); err != nil {
		t.Fatal(err)
	}
	ss.expect(t, "small:1")
}

// While the connection is lost and reconnection fails, emits are not buffered (unlike
// socket.io-client's sendBuffer): they fail with ErrNotConnected, so nothing accumulates
// however much is emitted, and none of them reaches the server after reconnection.
func TestNoBufferWhileDisconnected(t *testing.T) {
	ss := newStallServer(t)
	ctx := testCtx(t)
	const limit = 64 << 10
	m, err := client.NewManager(ss.url, client.Config{
		Transports:    wsOnly,
		MaxQueueBytes: limit,
		Reconnection:  client.Reconnection{Delay: 5 * time.Millisecond, DelayMax: 20 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := m.Socket("/", nil)
	disconnected := make(chan client.DisconnectReason, 1)
	connected := make(chan struct{}, 2)
	s.OnDisconnect(func(r client.DisconnectReason) { disconnected <- r })
	s.OnConnect(func() { connected <- struct{}{} })
	if err := s.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	recv(t, connected)
	if err := s.Emit(ctx, "seq", "before"); err != nil {
		t.Fatal(err)
	}
	ss.expect(t, `seq:"before"`)

	ss.down.Store(true) // every reconnection attempt gets a 503 until down is cleared
	ss.ln.cut()
	if r := recv(t, disconnected); r != client.ReasonTransportClose && r != client.ReasonTransportError {
		t.Fatalf("disconnect reason %q", r)
	}
	pad := strings.Repeat("x", 4000)
	// Twice the queue bound's worth: none of it may be kept.
	for i := range 2 * limit / len(pad) {
		if err := s.Emit(ctx, "seq", i, pad); !errors.Is(err, client.ErrNotConnected) {
			t.Fatalf("emit while disconnected: %v, want ErrNotConnected", err)
		}
		if err := s.Volatile().Emit(ctx, "vol", i); !errors.Is(err, client.ErrNotConnected) {
			t.Fatalf("volatile emit while disconnected: %v, want ErrNotConnected", err)
		}
	}
	if q := client.QueuedBytes(m); q != 0 {
		t.Fatalf("%d bytes held while disconnected", q)
	}

	ss.down.Store(false)
	recv(t, connected)
	if err := s.Emit(ctx, "seq", "after"); err != nil {
		t.Fatal(err)
	}
	ss.expect(t, `seq:"after"`)
}
