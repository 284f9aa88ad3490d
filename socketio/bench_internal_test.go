package socketio

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
)

// nullTransport discards what is sent, counting messages.
type nullTransport struct {
	ctx  context.Context
	sent atomic.Int64
	c    *client
}

func (n *nullTransport) sendOne(outMsg) error     { n.sent.Add(1); return nil }
func (n *nullTransport) sendReply(outMsg) error   { n.sent.Add(1); return nil }
func (n *nullTransport) send(msgs []outMsg) error { n.sent.Add(int64(len(msgs))); return nil }
func (n *nullTransport) writable() bool           { return true }
func (n *nullTransport) close(r DisconnectReason) { n.c.onClose(r) }
func (n *nullTransport) request() *http.Request {
	return httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=websocket", nil)
}
func (n *nullTransport) context() context.Context { return n.ctx }
func (n *nullTransport) transport() string        { return "websocket" }

func benchServer(b *testing.B, cfg Config) *Server {
	cfg.Logger = slog.New(slog.DiscardHandler)
	srv, err := newServer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv
}

func connectNull(b *testing.B, srv *Server, n int) []*nullTransport {
	trs := make([]*nullTransport, n)
	for i := range trs {
		tr := &nullTransport{ctx: context.Background()}
		tr.c = srv.newClient(tr)
		tr.c.onMessage([]byte("0"), false)
		trs[i] = tr
	}
	for srv.Of("/").Len() < n {
		runtime.Gosched()
	}
	srv.wg.Wait() // connection handlers done
	return trs
}

func closeNull(trs []*nullTransport) {
	for _, tr := range trs {
		tr.close(ReasonTransportClose)
	}
}

func BenchmarkBroadcast1000(b *testing.B) {
	srv := benchServer(b, Config{})
	trs := connectNull(b, srv, 1000)
	defer closeNull(trs)
	ns := srv.Of("/")
	ctx := context.Background()
	payload := map[string]any{"text": "hello everyone", "n": 42}
	b.ReportAllocs()
	for b.Loop() {
		if err := ns.Emit(ctx, "news", payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "deliveries/s")
}

func BenchmarkBroadcast1000Room(b *testing.B) {
	srv := benchServer(b, Config{})
	trs := connectNull(b, srv, 1000)
	defer closeNull(trs)
	ns := srv.Of("/")
	for _, s := range ns.Sockets() {
		s.Join("room")
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := ns.To("room").Emit(ctx, "news", "hello"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEventDispatch measures decode, queueing, handler dispatch and
// the ack's encoding for one socket (an echo with ack).
func BenchmarkEventDispatch(b *testing.B) {
	srv := benchServer(b, Config{MaxPendingEvents: 1 << 20})
	done := make(chan struct{}, 1)
	var want, got atomic.Int64
	srv.Of("/").On("echo", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
		if got.Add(1) == want.Load() {
			done <- struct{}{}
		}
		return []any{args.Raw(0)}, nil
	})
	trs := connectNull(b, srv, 1)
	defer closeNull(trs)
	c := trs[0].c
	msg := []byte(`2123["echo",{"text":"hello world","n":1}]`)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		want.Store(int64(n))
		c.onMessage(msg, false)
		if n%256 == 0 {
			<-done
		}
	}
	if n%256 != 0 {
		<-done
	}
}

// BenchmarkSocketEmit measures a direct emit to one socket.
func BenchmarkSocketEmit(b *testing.B) {
	srv := benchServer(b, Config{})
	trs := connectNull(b, srv, 1)
	defer closeNull(trs)
	s := srv.Of("/").Sockets()[0]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Emit(ctx, "news", "hello", 1); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIdleSocketMemory reports (and bounds) the Socket.IO layer's heap per
// idle connected socket, without the Engine.IO session.
func TestIdleSocketMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	srv, err := newServer(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const n = 5000
	req := httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=websocket", nil)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	trs := make([]*memTransport, n)
	for i := range trs {
		tr := &memTransport{req: req}
		tr.c = srv.newClient(tr)
		tr.c.onMessage([]byte("0"), false)
		trs[i] = tr
	}
	for srv.Of("/").Len() < n {
		runtime.Gosched()
	}
	srv.wg.Wait()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	per := float64(ms.HeapAlloc-before) / n
	t.Logf("socketio heap per idle socket: %.0f bytes", per)
	if per > 4096 {
		t.Errorf("idle socket costs %.0f bytes, budget 4096", per)
	}
	for _, tr := range trs {
		tr.c.onClose(ReasonTransportClose)
	}
	srv.wg.Wait()
	if n := srv.Of("/").Len(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

type memTransport struct {
	req *http.Request
	c   *client
}

func (t *memTransport) sendOne(outMsg) error     { return nil }
func (t *memTransport) sendReply(outMsg) error   { return nil }
func (m *memTransport) send([]outMsg) error      { return nil }
func (m *memTransport) writable() bool           { return true }
func (m *memTransport) close(DisconnectReason)   {}
func (m *memTransport) request() *http.Request   { return m.req }
func (m *memTransport) context() context.Context { return context.Background() }
func (m *memTransport) transport() string        { return "websocket" }

// ackingTransport answers every event that asks for an ack with an empty
// ACK, from its own goroutine as a client's read loop would (a transport
// must not call back into the package from inside send).
type ackingTransport struct {
	nullTransport
	acks chan []byte
	done chan struct{}
}

func (a *ackingTransport) sendOne(m outMsg) error { return a.send([]outMsg{m}) }
func (a *ackingTransport) send(msgs []outMsg) error {
	d := msgs[0].Data
	if i := bytes.IndexByte(d, '['); i > 1 && d[0] == '2' {
		a.acks <- append([]byte{'3'}, append(d[1:i:i], "[]"...)...)
	}
	return nil
}

func (a *ackingTransport) readLoop() {
	defer close(a.done)
	for m := range a.acks {
		a.c.onMessage(m, false)
	}
}

// BenchmarkBroadcastWithAck100 measures a broadcast with ack to 100 sockets
// until every answer is in (encoding once, registering the id on each
// socket, settling each ACK).
func BenchmarkBroadcastWithAck100(b *testing.B) {
	srv := benchServer(b, Config{})
	trs := make([]*ackingTransport, 100)
	for i := range trs {
		tr := &ackingTransport{nullTransport: nullTransport{ctx: context.Background()}, acks: make(chan []byte, 16), done: make(chan struct{})}
		tr.c = srv.newClient(tr)
		tr.c.onMessage([]byte("0"), false)
		go tr.readLoop()
		trs[i] = tr
	}
	ns := srv.Of("/")
	for ns.Len() < len(trs) {
		runtime.Gosched()
	}
	srv.wg.Wait()
	defer func() {
		for _, tr := range trs {
			close(tr.acks)
			<-tr.done
			tr.close(ReasonTransportClose)
		}
	}()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		acks, err := ns.EmitWithAck(ctx, "poll", "question")
		if err != nil || len(acks) != len(trs) {
			b.Fatalf("%d acks, err %v", len(acks), err)
		}
	}
}
