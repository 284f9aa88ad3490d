package engineio_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/internal/wsconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type closeEvent struct {
	id     string
	reason engineio.CloseReason
	err    error
}

// env is a running server whose sessions echo every message back.
type env struct {
	t      *testing.T
	srv    *engineio.Server
	hs     *httptest.Server
	url    string // http://host/engine.io/
	conns  chan *engineio.Conn
	closed chan closeEvent
}

func newEnv(t *testing.T, cfg engineio.Config) *env {
	t.Helper()
	e := &env{t: t, conns: make(chan *engineio.Conn, 100), closed: make(chan closeEvent, 100)}
	if cfg.Path == "" {
		cfg.Path = "/engine.io/"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.OnConnection == nil {
		cfg.OnConnection = func(c *engineio.Conn) {
			c.OnMessage(func(data []byte, binary bool) {
				_ = c.Send(engineio.Message{Data: data, Binary: binary})
			})
			c.OnClose(func(reason engineio.CloseReason, err error) {
				e.closed <- closeEvent{c.ID(), reason, err}
			})
			e.conns <- c
		}
	}
	srv, err := engineio.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.hs = httptest.NewServer(srv)
	e.url = e.hs.URL + cfg.Path
	t.Cleanup(func() {
		_ = srv.Close()
		e.hs.Close()
	})
	return e
}

func (e *env) wsURL(query string) string {
	return "ws" + strings.TrimPrefix(e.url, "http") + "?" + query
}

// do sends a request and returns status, body and headers.
func (e *env) do(method, query, body string, hdr http.Header) (int, string, http.Header) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.url+"?"+query, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	res, err := e.hs.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

type handshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int      `json:"pingInterval"`
	PingTimeout  int      `json:"pingTimeout"`
	MaxPayload   int      `json:"maxPayload"`
}

func parseOpen(t *testing.T, s string) handshake {
	t.Helper()
	if !strings.HasPrefix(s, "0") {
		t.Fatalf("open packet = %q", s)
	}
	var h handshake
	dec := json.NewDecoder(strings.NewReader(s[1:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		t.Fatalf("open packet %q: %v", s, err)
	}
	return h
}

// pollingSession performs a polling handshake and returns the sid and the server-side Conn.
func (e *env) pollingSession() (string, *engineio.Conn) {
	e.t.Helper()
	st, body, _ := e.do("GET", "EIO=4&transport=polling", "", nil)
	if st != 200 {
		e.t.Fatalf("handshake status %d %s", st, body)
	}
	h := parseOpen(e.t, body)
	return h.SID, e.conn()
}

func (e *env) conn() *engineio.Conn {
	e.t.Helper()
	select {
	case c := <-e.conns:
		return c
	case <-time.After(5 * time.Second):
		e.t.Fatal("no connection")
		return nil
	}
}

func (e *env) closeEvent() closeEvent {
	e.t.Helper()
	select {
	case ev := <-e.closed:
		return ev
	case <-time.After(5 * time.Second):
		e.t.Fatal("no close event")
		return closeEvent{}
	}
}

func (e *env) dial(query string) *wsconn.Conn {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 5*time.Second)
	defer cancel()
	c, err := wsconn.Dial(ctx, e.wsURL(query), wsconn.DialOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

type wsMsg struct {
	data   string
	binary bool
	err    error
}

// readWS reads one message with a deadline.
func readWS(t *testing.T, c *wsconn.Conn) wsMsg {
	t.Helper()
	_ = c.NetConn().SetReadDeadline(time.Now().Add(5 * time.Second))
	data, bin, err := c.ReadMessage()
	return wsMsg{string(data), bin, err}
}

func mustReadWS(t *testing.T, c *wsconn.Conn) string {
	t.Helper()
	m := readWS(t, c)
	if m.err != nil {
		t.Fatal(m.err)
	}
	return m.data
}

func writeWS(t *testing.T, c *wsconn.Conn, s string) {
	t.Helper()
	if err := c.WriteMessage(false, []byte(s)); err != nil {
		t.Fatal(err)
	}
}

// waitPending waits until a polling session has a GET pending (it is then writable). Nothing
// outside the server signals that moment, so it polls, with a deadline.
func waitPending(t *testing.T, c *engineio.Conn) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !c.Writable() {
		if time.Now().After(deadline) {
			t.Fatal("no GET pending after 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// readInOrder reads senders*per messages [sender, i] (skipping pings) and fails unless each
// sender's i arrive complete and in order.
func readInOrder(t *testing.T, ws *wsconn.Conn, senders, per int) {
	t.Helper()
	next := make([]int, senders)
	for n := 0; n < senders*per; n++ {
		m := mustReadWS(t, ws)
		if m == "2" {
			n--
			continue
		}
		var v [2]int
		if err := json.Unmarshal([]byte(m[1:]), &v); err != nil {
			t.Fatalf("%q: %v", m, err)
		}
		if v[0] < 0 || v[0] >= senders {
			t.Fatalf("message %q: no such sender", m)
		}
		if v[1] != next[v[0]] {
			t.Fatalf("sender %d: got %d want %d", v[0], v[1], next[v[0]])
		}
		next[v[0]]++
	}
}
