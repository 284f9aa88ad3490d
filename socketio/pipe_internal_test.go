package socketio

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipeTransport is an in-memory Engine.IO session for unit tests.
type pipeTransport struct {
	ctx    context.Context
	cancel context.CancelFunc
	req    *http.Request
	out    chan outMsg

	mu       sync.Mutex
	closed   bool
	reason   DisconnectReason
	busy     bool // writable() == false
	c        *client
	closedCh chan struct{}
}

func newPipe() *pipeTransport {
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=websocket&foo=bar", nil)
	req.Header.Set("X-Test", "1")
	return &pipeTransport{ctx: ctx, cancel: cancel, req: req, out: make(chan outMsg, 4096), closedCh: make(chan struct{})}
}

func (p *pipeTransport) sendOne(m outMsg) error   { return p.send([]outMsg{m}) }
func (p *pipeTransport) sendReply(m outMsg) error { return p.send([]outMsg{m}) }
func (p *pipeTransport) send(msgs []outMsg) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return context.Canceled
	}
	for _, m := range msgs {
		p.out <- m
	}
	return nil
}

func (p *pipeTransport) writable() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.busy
}

func (p *pipeTransport) close(reason DisconnectReason) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.reason = reason
	c := p.c
	p.mu.Unlock()
	p.cancel()
	close(p.closedCh)
	c.onClose(reason)
}

func (p *pipeTransport) request() *http.Request   { return p.req }
func (p *pipeTransport) context() context.Context { return p.ctx }
func (p *pipeTransport) transport() string        { return "websocket" }

// testConn is a fake client connection: the test goroutine is its read loop.
type testConn struct {
	t  *testing.T
	tr *pipeTransport
	c  *client
}

func dialPipe(t *testing.T, srv *Server) *testConn {
	tr := newPipe()
	tr.mu.Lock()
	c := srv.newClient(tr)
	tr.c = c
	tr.mu.Unlock()
	return &testConn{t: t, tr: tr, c: c}
}

func (tc *testConn) send(s string)    { tc.c.onMessage([]byte(s), false) }
func (tc *testConn) sendBin(b []byte) { tc.c.onMessage(b, true) }

func (tc *testConn) recv() outMsg {
	tc.t.Helper()
	select {
	case m := <-tc.tr.out:
		return m
	case <-time.After(5 * time.Second):
		tc.t.Fatal("timeout waiting for a message")
	}
	return outMsg{}
}

func (tc *testConn) expect(prefix string) string {
	tc.t.Helper()
	m := tc.recv()
	if m.Binary || !strings.HasPrefix(string(m.Data), prefix) {
		tc.t.Fatalf("got %q (binary %v), want prefix %q", m.Data, m.Binary, prefix)
	}
	return string(m.Data)
}

func (tc *testConn) waitClosed() DisconnectReason {
	tc.t.Helper()
	select {
	case <-tc.tr.closedCh:
	case <-time.After(5 * time.Second):
		tc.t.Fatal("timeout waiting for close")
	}
	tc.tr.mu.Lock()
	defer tc.tr.mu.Unlock()
	return tc.tr.reason
}

func (tc *testConn) close() { tc.tr.close(ReasonTransportClose) }

func newTestServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := newServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}
