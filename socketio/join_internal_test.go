package socketio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// logTransport is a pipe whose sends never block (they append to a log), so
// a broadcast looping under the adapter's and namespace's locks cannot stall
// on a reader that is busy checking the server's state.
type logTransport struct {
	ctx    context.Context
	cancel context.CancelFunc
	req    *http.Request
	c      *client

	mu     sync.Mutex
	closed bool
	log    []outMsg
	next   int
	notify chan struct{} // signalled (buffer 1) on every send
}

func newLogTransport() *logTransport {
	ctx, cancel := context.WithCancel(context.Background())
	return &logTransport{
		ctx: ctx, cancel: cancel, notify: make(chan struct{}, 1),
		req: httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=websocket", nil),
	}
}

func (p *logTransport) sendOne(m outMsg) error   { return p.send([]outMsg{m}) }
func (p *logTransport) sendReply(m outMsg) error { return p.send([]outMsg{m}) }
func (p *logTransport) send(msgs []outMsg) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return context.Canceled
	}
	p.log = append(p.log, msgs...)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
	return nil
}
func (p *logTransport) writable() bool           { return true }
func (p *logTransport) request() *http.Request   { return p.req }
func (p *logTransport) context() context.Context { return p.ctx }
func (p *logTransport) transport() string        { return "websocket" }
func (p *logTransport) close(reason DisconnectReason) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.log = nil
	p.mu.Unlock()
	p.cancel()
	p.c.onClose(reason)
}

// recv returns the next message sent to the client, waiting up to 5s; on a
// timeout it reports an error (it may run on a goroutine other than the
// test's) and returns "".
func (p *logTransport) recv(t *testing.T) string {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		p.mu.Lock()
		if p.next < len(p.log) {
			m := p.log[p.next]
			p.next++
			p.mu.Unlock()
			return string(m.Data)
		}
		p.mu.Unlock()
		select {
		case <-p.notify:
		case <-timeout:
			t.Error("timeout waiting for a message")
			return ""
		}
	}
}

func dialLog(srv *Server) *logTransport {
	tr := newLogTransport()
	tr.c = srv.newClient(tr)
	return tr
}

// connectSID reads the client's first message, which must be the CONNECT
// answer for nsp, and returns the socket id.
func connectSID(t *testing.T, tr *logTransport, nsp string) SocketID {
	t.Helper()
	prefix := "0"
	if nsp != "/" {
		prefix += nsp + ","
	}
	m := tr.recv(t)
	if !strings.HasPrefix(m, prefix+"{") {
		t.Errorf("first message %q, want the CONNECT answer for %s", m, nsp)
		return ""
	}
	var hello struct{ SID SocketID }
	if err := json.Unmarshal([]byte(m[len(prefix):]), &hello); err != nil || hello.SID == "" {
		t.Errorf("CONNECT payload %q: %v", m, err)
	}
	return hello.SID
}

// expectEvent reads until a text packet starting with want arrives; every
// packet before it must start with one of allowed (concurrent broadcasts).
func expectEvent(t *testing.T, tr *logTransport, want string, allowed ...string) {
	t.Helper()
	for {
		m := tr.recv(t)
		if m == "" {
			return
		}
		if strings.HasPrefix(m, want) {
			return
		}
		if !slices.ContainsFunc(allowed, func(p string) bool { return strings.HasPrefix(m, p) }) {
			t.Errorf("got %q while waiting for %q", m, want)
			return
		}
	}
}

// broadcastLoop emits with each fn until stop is closed.
func broadcastLoop(stop <-chan struct{}, fns ...func()) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					fn()
				}
			}
		})
	}
	return &wg
}

// Joining a namespace is atomic with respect to broadcasts: while the
// namespace is flooded with broadcasts, (a) the first packet every client
// gets is its CONNECT answer and (b) as soon as the client has it, the
// socket is listed by the namespace and the adapter, and a broadcast issued
// then (to the namespace, or to the socket's room) reaches it. No waits: the
// checks run right after CONNECT is read.
func TestJoinAtomicWithBroadcasts(t *testing.T) {
	srv := newTestServer(t, Config{})
	ns := srv.Of("/")
	admin := srv.Of("/admin")
	ctx := context.Background()
	stop := make(chan struct{})
	loops := broadcastLoop(stop,
		func() { _ = ns.Emit(ctx, "tick") },
		func() { _ = admin.Except("nobody").Emit(ctx, "tock") },
	)
	defer func() { close(stop); loops.Wait() }()

	const workers, perWorker = 4, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				tr := dialLog(srv)
				tr.c.onMessage([]byte("0"), false)
				sid := connectSID(t, tr, "/")
				if sid == "" {
					tr.close(ReasonTransportClose)
					return
				}
				// (b): visible at once.
				s := ns.Socket(sid)
				if s == nil || !slices.Contains(ns.Sockets(), s) {
					t.Errorf("socket %s not in the namespace right after its CONNECT", sid)
				}
				if ids, _ := ns.Adapter().Sockets(ctx, []Room{Room(sid)}); !slices.Contains(ids, sid) {
					t.Errorf("socket %s not in its room right after its CONNECT", sid)
				}
				if infos, _ := ns.FetchSockets(ctx, BroadcastOptions{Rooms: []Room{Room(sid)}}); len(infos) != 1 {
					t.Errorf("FetchSockets of %s: %d sockets", sid, len(infos))
				}
				hello := fmt.Sprintf("hello-%d-%d", w, i)
				if err := ns.Emit(ctx, hello); err != nil {
					t.Error(err)
				}
				expectEvent(t, tr, `2["`+hello+`"]`, `2["tick"]`, `2["hello-`)
				if err := ns.To(Room(sid)).Emit(ctx, "direct"); err != nil {
					t.Error(err)
				}
				expectEvent(t, tr, `2["direct"]`, `2["tick"]`, `2["hello-`)

				// A second namespace on the same connection: same guarantees.
				tr.c.onMessage([]byte("0/admin,"), false)
				var m string
				for m = tr.recv(t); strings.HasPrefix(m, "2["); m = tr.recv(t) {
					// The root namespace's broadcasts may come first.
				}
				var adminHello struct{ SID SocketID }
				if !strings.HasPrefix(m, "0/admin,{") || json.Unmarshal([]byte(m[len("0/admin,"):]), &adminHello) != nil {
					t.Errorf("got %q, want the /admin CONNECT answer", m)
				} else if admin.Socket(adminHello.SID) == nil {
					t.Errorf("admin socket %s not listed right after its CONNECT", adminHello.SID)
				}
				tr.close(ReasonTransportClose)
				if t.Failed() {
					return
				}
			}
		})
	}
	wg.Wait()
}

// With connection state recovery, the restored rooms are joined atomically
// with the CONNECT answer too: a room broadcast never precedes CONNECT and
// the replayed packets, and one issued after CONNECT reaches the socket.
func TestJoinAtomicWithRestoredRooms(t *testing.T) {
	srv := newTestServer(t, Config{Recovery: &RecoveryConfig{}})
	ns := srv.Of("/")
	joined := make(chan struct{}, 1)
	ns.OnConnection(func(s *Socket) {
		if !s.Recovered() {
			s.Join("team")
			joined <- struct{}{}
		}
	})
	ctx := context.Background()

	// First session: join "team" (in the connection handler), get one
	// packet's offset, and drop the transport.
	tr := dialLog(srv)
	tr.c.onMessage([]byte("0"), false)
	first := tr.recv(t)
	var hello struct{ SID, PID string }
	if err := json.Unmarshal([]byte(first[1:]), &hello); err != nil || hello.PID == "" {
		t.Fatalf("CONNECT %q: %v", first, err)
	}
	<-joined // the connection handler runs after CONNECT
	_ = ns.To("team").Emit(ctx, "sync")
	m := tr.recv(t)
	offset, ok := strings.CutPrefix(m, `2["sync","`)
	if !ok {
		t.Fatalf("got %q, want the sync broadcast", m)
	}
	offset = strings.TrimSuffix(offset, `"]`)
	tr.close(ReasonTransportClose)

	stop := make(chan struct{})
	loops := broadcastLoop(stop, func() { _ = ns.To("team").Emit(ctx, "team") })
	defer func() { close(stop); loops.Wait() }()

	tr2 := dialLog(srv)
	tr2.c.onMessage([]byte(`0{"pid":"`+hello.PID+`","offset":"`+offset+`"}`), false)
	if sid := connectSID(t, tr2, "/"); string(sid) != hello.SID {
		t.Fatalf("recovered sid %q, want %q", sid, hello.SID)
	}
	s := ns.Socket(SocketID(hello.SID))
	if s == nil || !s.Recovered() {
		t.Fatal("recovered socket not listed right after its CONNECT")
	}
	if ids, _ := ns.Adapter().Sockets(ctx, []Room{"team"}); !slices.Contains(ids, SocketID(hello.SID)) {
		t.Fatal("restored room not joined right after CONNECT")
	}
	if err := ns.To("team").Emit(ctx, "after"); err != nil {
		t.Fatal(err)
	}
	// Before "after": the replayed packets and the loop's, all to "team".
	expectEvent(t, tr2, `2["after","`, `2["team","`)
	tr2.close(ReasonTransportClose)
}

// lastOffset returns the recovery offset of the last event in tr's log.
func (p *logTransport) lastOffset() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.log) - 1; i >= 0; i-- {
		m := string(p.log[i].Data)
		if strings.HasPrefix(m, `2["`) && strings.HasSuffix(m, `"]`) {
			if j := strings.LastIndex(m[:len(m)-2], `"`); j > 0 {
				return m[j+1 : len(m)-2]
			}
		}
	}
	return ""
}

// Every path that takes the package's locks runs at once, with recovery on:
// connects (some restoring a session and its rooms), connection handlers
// joining rooms and emitting, broadcasts to the namespace, to rooms and
// volatile, room changes through the adapter, fetches, server-side and
// client-side disconnects and transport closes. It checks that nothing
// deadlocks (the run must finish) and that no client gets anything before
// its CONNECT answer; -race checks the rest.
func TestJoinStress(t *testing.T) {
	srv := newTestServer(t, Config{Recovery: &RecoveryConfig{MaxPackets: 64}})
	ns := srv.Of("/")
	admin := srv.Of("/admin")
	ctx := context.Background()
	var n, recovered atomicCounter
	for _, x := range []*Namespace{ns, admin} {
		x.OnConnection(func(s *Socket) {
			if s.Recovered() {
				recovered.next()
			}
			s.Join(Room(fmt.Sprintf("r%d", n.next()%3)))
			_ = s.Emit(ctx, "welcome")
			_ = s.To("r0").Emit(ctx, "joined")
		})
		x.On("leave", func(ctx context.Context, s *Socket, _ Args) ([]any, error) {
			s.Leave("r0")
			return nil, nil
		})
	}
	stop := make(chan struct{})
	loops := broadcastLoop(stop,
		func() { _ = ns.Emit(ctx, "tick") },
		func() { _ = admin.To("r0", "r1").Except("r2").Emit(ctx, "tock") },
		func() { _ = ns.Volatile().Emit(ctx, "v") },
		func() {
			ns.To("r1").SocketsJoin("r3")
			ns.In("r3").SocketsLeave("r3")
			_, _ = admin.FetchSockets(ctx, BroadcastOptions{Rooms: []Room{"r0"}})
		},
		func() {
			ns.To("r2").DisconnectSockets(false)
			if socks := admin.Sockets(); len(socks) > 8 {
				socks[0].Disconnect(true)
			}
		},
	)

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var pid, offset string
			for i := range 60 {
				tr := dialLog(srv)
				auth := ""
				if pid != "" && offset != "" && i%2 == 0 {
					auth = `{"pid":"` + pid + `","offset":"` + offset + `"}`
				}
				tr.c.onMessage([]byte("0"+auth), false)
				m := tr.recv(t)
				if !strings.HasPrefix(m, `0{"sid":"`) {
					t.Errorf("worker %d: first message %q, want CONNECT", w, m)
					tr.close(ReasonTransportClose)
					return
				}
				var hello struct{ PID string }
				_ = json.Unmarshal([]byte(m[1:]), &hello)
				pid = hello.PID
				tr.c.onMessage([]byte("0/admin,"), false)
				tr.c.onMessage([]byte(`2["leave"]`), false)
				tr.c.onMessage([]byte(`2/admin,["leave"]`), false)
				offset = tr.lastOffset()
				switch i % 3 {
				case 0:
					tr.close(ReasonTransportClose) // recoverable
				case 1:
					tr.c.onMessage([]byte("1/admin,"), false)
					tr.c.onMessage([]byte("1"), false)
					tr.close(ReasonTransportClose)
				default:
					tr.close(ReasonPingTimeout)
				}
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(stop); loops.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("deadlock:\n%s", buf)
	}
	t.Logf("%d sockets, %d recovered", n.n.Load(), recovered.n.Load())
}

type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) next() int64 { return c.n.Add(1) }
