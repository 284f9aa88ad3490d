package socketio_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sockspec/sockspec/internal/wsconn"
	"github.com/sockspec/sockspec/socketio"
)

// newServer starts srv behind an httptest server; cleanup shuts both down.
func newServer(t testing.TB, cfg socketio.Config) (*socketio.Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := socketio.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	return srv, hs.URL
}

type frame struct {
	data   string
	binary bool
}

// wire is a raw Socket.IO client over a WebSocket: it speaks the protocol
// by hand so tests control every byte. It answers pings unless mute.
type wire struct {
	t      testing.TB
	c      *wsconn.Conn
	in     chan frame
	done   chan struct{}
	mute   chan struct{}
	closed bool
}

func dial(t testing.TB, baseURL string) *wire {
	t.Helper()
	u := "ws" + strings.TrimPrefix(baseURL, "http") + "/socket.io/?EIO=4&transport=websocket"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := wsconn.Dial(ctx, u, wsconn.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := &wire{t: t, c: c, in: make(chan frame, 1024), done: make(chan struct{}), mute: make(chan struct{})}
	go w.readLoop()
	t.Cleanup(w.close)
	open := w.recvRaw()
	if !strings.HasPrefix(open.data, "0{") {
		t.Fatalf("open packet = %q", open.data)
	}
	return w
}

func (w *wire) readLoop() {
	defer close(w.done)
	defer close(w.in)
	for {
		data, bin, err := w.c.ReadMessage()
		if err != nil {
			return
		}
		if !bin && string(data) == "2" {
			select {
			case <-w.mute:
			default:
				_ = w.c.WriteMessage(false, []byte("3"))
			}
			continue
		}
		w.in <- frame{data: string(data), binary: bin}
	}
}

// stopPongs makes the client stop answering pings.
func (w *wire) stopPongs() { close(w.mute) }

func (w *wire) close() {
	if w.closed {
		return
	}
	w.closed = true
	_ = w.c.CloseNow()
	<-w.done
}

// send writes one Socket.IO packet (the Engine.IO "4" prefix is added).
func (w *wire) send(pkt string) {
	w.t.Helper()
	if err := w.c.WriteMessage(false, []byte("4"+pkt)); err != nil {
		w.t.Fatalf("send %q: %v", pkt, err)
	}
}

func (w *wire) sendBin(b []byte) {
	w.t.Helper()
	if err := w.c.WriteMessage(true, b); err != nil {
		w.t.Fatalf("send binary: %v", err)
	}
}

func (w *wire) recvRaw() frame {
	w.t.Helper()
	select {
	case f, ok := <-w.in:
		if !ok {
			w.t.Fatal("connection closed while waiting for a message")
		}
		return f
	case <-time.After(5 * time.Second):
		w.t.Fatal("timeout waiting for a message")
	}
	return frame{}
}

// recv returns the next Socket.IO packet (text, without the "4" prefix).
func (w *wire) recv() string {
	w.t.Helper()
	f := w.recvRaw()
	if f.binary || !strings.HasPrefix(f.data, "4") {
		w.t.Fatalf("got %q (binary %v), want a message packet", f.data, f.binary)
	}
	return f.data[1:]
}

func (w *wire) recvBin() []byte {
	w.t.Helper()
	f := w.recvRaw()
	if !f.binary {
		w.t.Fatalf("got text %q, want binary", f.data)
	}
	return []byte(f.data)
}

func (w *wire) expect(want string) {
	w.t.Helper()
	if got := w.recv(); got != want {
		w.t.Fatalf("got %q, want %q", got, want)
	}
}

func (w *wire) expectPrefix(prefix string) string {
	w.t.Helper()
	got := w.recv()
	if !strings.HasPrefix(got, prefix) {
		w.t.Fatalf("got %q, want prefix %q", got, prefix)
	}
	return got
}

// waitClosed waits until the server closes the connection, ignoring
// packets that arrive before the close.
func (w *wire) waitClosed() {
	w.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-w.in:
			if !ok {
				return
			}
		case <-timeout:
			w.t.Fatal("timeout waiting for the server to close the connection")
		}
	}
}

// noMessage checks that nothing arrives for a short while.
func (w *wire) noMessage(d time.Duration) {
	w.t.Helper()
	select {
	case f, ok := <-w.in:
		if ok {
			w.t.Fatalf("unexpected message %q", f.data)
		}
	case <-time.After(d):
	}
}

// pollingHandshake opens a polling session and returns its sid.
func pollingGet(t testing.TB, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return string(b)
}

func pollingPost(t testing.TB, url, body string) {
	t.Helper()
	res, err := http.Post(url, "text/plain;charset=UTF-8", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", url, res.StatusCode, b)
	}
}
