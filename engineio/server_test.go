package engineio_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/internal/wsconn"
)

func TestNewServerConfig(t *testing.T) {
	ok := func(*engineio.Conn) {}
	tests := []struct {
		name string
		cfg  engineio.Config
	}{
		{"no OnConnection", engineio.Config{}},
		{"relative path", engineio.Config{Path: "x/", OnConnection: ok}},
		{"unknown transport", engineio.Config{Transports: []string{"webtransport"}, OnConnection: ok}},
		{"empty transports", engineio.Config{Transports: []string{}, OnConnection: ok}},
		{"negative", engineio.Config{PingInterval: -1, OnConnection: ok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := engineio.NewServer(tt.cfg); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func TestPollingHandshake(t *testing.T) {
	e := newEnv(t, engineio.Config{PingInterval: time.Minute, PingTimeout: 30 * time.Second, MaxHTTPBufferSize: 5000})
	st, body, hdr := e.do("GET", "EIO=4&transport=polling", "", nil)
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	h := parseOpen(t, body)
	if len(h.SID) != 20 || len(h.Upgrades) != 1 || h.Upgrades[0] != "websocket" || h.PingInterval != 60000 || h.PingTimeout != 30000 || h.MaxPayload != 5000 {
		t.Fatalf("handshake %+v", h)
	}
	if ct := hdr.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Fatalf("content-type %q", ct)
	}
	c := e.conn()
	if c.ID() != h.SID || c.Transport() != "polling" || c.Request().URL.Query().Get("EIO") != "4" {
		t.Fatalf("conn %s %s", c.ID(), c.Transport())
	}
	if e.srv.Count() != 1 {
		t.Fatalf("count %d", e.srv.Count())
	}
	// The path without its trailing slash is served too.
	e2 := *e
	e2.url = strings.TrimSuffix(e.url, "/")
	if st, _, _ := e2.do("GET", "EIO=4&transport=polling", "", nil); st != 200 {
		t.Fatalf("no-slash status %d", st)
	}
	e.conn()
	if st, _, _ := e.do("GET", "", "", nil); st != 400 {
		t.Fatalf("status %d", st)
	}
}

func TestUpgradesDisabled(t *testing.T) {
	e := newEnv(t, engineio.Config{DisableUpgrades: true})
	_, body, _ := e.do("GET", "EIO=4&transport=polling", "", nil)
	if h := parseOpen(t, body); len(h.Upgrades) != 0 {
		t.Fatalf("upgrades %v", h.Upgrades)
	}
	e.conn()
}

func TestPollingMessages(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, _ := e.pollingSession()
	q := "EIO=4&transport=polling&sid=" + sid
	tests := []struct{ in, want string }{
		{"4hello", "4hello"},
		{"4test1\x1e4test2\x1e4test3", "4test1\x1e4test2\x1e4test3"},
		{"4hello\x1ebAQIDBA==", "4hello\x1ebAQIDBA=="},
		{"4€ ✓", "4€ ✓"},
	}
	for _, tt := range tests {
		st, body, hdr := e.do("POST", q, tt.in, nil)
		if st != 200 || body != "ok" || hdr.Get("Content-Type") != "text/html" {
			t.Fatalf("POST %q: %d %q", tt.in, st, body)
		}
		st, body, _ = e.do("GET", q, "", nil)
		if st != 200 || body != tt.want {
			t.Fatalf("GET: %d %q, want %q", st, body, tt.want)
		}
	}
}

func TestPollingServerSendBinary(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	if err := c.SendBatch([]engineio.Message{{Data: []byte(`51-["x",{"_placeholder":true,"num":0}]`)}, {Data: []byte{0xff, 0}, Binary: true}}); err != nil {
		t.Fatal(err)
	}
	_, body, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil)
	if body != "451-[\"x\",{\"_placeholder\":true,\"num\":0}]\x1eb/wA=" {
		t.Fatalf("body %q", body)
	}
}

func TestPendingPollWokenBySend(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	got := make(chan string, 1)
	go func() {
		_, body, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil)
		got <- body
	}()
	waitPending(t, c)
	_ = c.Send(engineio.Message{Data: []byte("late")})
	if b := <-got; b != "4late" {
		t.Fatalf("body %q", b)
	}
}

func TestWebSocketDirect(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	h := parseOpen(t, mustReadWS(t, ws))
	if len(h.Upgrades) != 0 || h.PingInterval != 25000 || h.PingTimeout != 20000 || h.MaxPayload != 1e6 {
		t.Fatalf("handshake %+v", h)
	}
	c := e.conn()
	if c.Transport() != "websocket" || c.ID() != h.SID {
		t.Fatal(c.Transport())
	}
	writeWS(t, ws, "4hello")
	if m := mustReadWS(t, ws); m != "4hello" {
		t.Fatalf("got %q", m)
	}
	if err := ws.WriteMessage(true, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if m := readWS(t, ws); m.data != "\x01\x02\x03\x04" || !m.binary {
		t.Fatalf("got %+v", m)
	}
	// A base64 text record is accepted as binary too.
	writeWS(t, ws, "bAQIDBA==")
	if m := readWS(t, ws); m.data != "\x01\x02\x03\x04" || !m.binary {
		t.Fatalf("got %+v", m)
	}
	// A polling request for a websocket session is a transport mismatch.
	st, body, _ := e.do("GET", "EIO=4&transport=polling&sid="+h.SID, "", nil)
	if st != 400 || body != `{"code":3,"message":"Bad request"}` {
		t.Fatalf("%d %s", st, body)
	}
	_ = ws.Close(wsconn.StatusNormal, "")
	if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportClose || ev.id != h.SID {
		t.Fatalf("close %+v", ev)
	}
}

func TestWebSocketClosePacket(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	e.conn()
	writeWS(t, ws, "1")
	if m := readWS(t, ws); m.err == nil {
		t.Fatalf("got %q, want close", m.data)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportClose {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestWebSocketParseError(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	e.conn()
	writeWS(t, ws, "abc")
	if m := readWS(t, ws); m.err == nil {
		t.Fatalf("got %q, want close", m.data)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonParseError {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestUpgrade(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	q := "EIO=4&transport=polling&sid=" + sid
	// A poll is pending when the upgrade starts.
	pollDone := make(chan string, 1)
	go func() {
		_, body, _ := e.do("GET", q, "", nil)
		pollDone <- body
	}()
	ws := e.dial("EIO=4&transport=websocket&sid=" + sid)
	writeWS(t, ws, "2probe")
	if m := mustReadWS(t, ws); m != "3probe" {
		t.Fatalf("probe answer %q", m)
	}
	if b := <-pollDone; b != "6" {
		t.Fatalf("pending poll got %q, want noop", b)
	}
	// Messages sent before the upgrade completes stay on polling; a GET after the probe is
	// released with a noop (after 100ms, like Node) when nothing is queued.
	if _, b, _ := e.do("GET", q, "", nil); b != "6" {
		t.Fatalf("poll after probe got %q", b)
	}
	if err := c.Send(engineio.Message{Data: []byte("queued")}); err != nil {
		t.Fatal(err)
	}
	// A second websocket for the same session is closed.
	ws2 := e.dial("EIO=4&transport=websocket&sid=" + sid)
	var ce *wsconn.CloseError
	if m := readWS(t, ws2); !errors.As(m.err, &ce) {
		t.Fatalf("second websocket: %+v", m)
	}
	writeWS(t, ws, "5")
	if m := mustReadWS(t, ws); m != "4queued" {
		t.Fatalf("got %q", m)
	}
	if c.Transport() != "websocket" {
		t.Fatal("not upgraded")
	}
	writeWS(t, ws, "4hello")
	if m := mustReadWS(t, ws); m != "4hello" {
		t.Fatalf("got %q", m)
	}
	st, body, _ := e.do("GET", q, "", nil)
	if st != 400 || !strings.Contains(body, `"code":3`) {
		t.Fatalf("poll after upgrade: %d %s", st, body)
	}
	ws3 := e.dial("EIO=4&transport=websocket&sid=" + sid)
	if m := readWS(t, ws3); !errors.As(m.err, &ce) {
		t.Fatalf("websocket after upgrade: %+v", m)
	}
}

// A GET still pending when the upgrade completes is a poll after the upgrade: HTTP 400.
func TestUpgradeWithLatePoll(t *testing.T) {
	t.Cleanup(engineio.SetProbeNoopDelay(time.Minute)) // the GET must still be pending at "5"
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	q := "EIO=4&transport=polling&sid=" + sid
	ws := e.dial("EIO=4&transport=websocket&sid=" + sid)
	writeWS(t, ws, "2probe")
	if m := mustReadWS(t, ws); m != "3probe" {
		t.Fatalf("probe answer %q", m)
	}
	late := make(chan int, 1)
	go func() {
		st, _, _ := e.do("GET", q, "", nil)
		late <- st
	}()
	for !c.Writable() {
		if len(late) > 0 {
			t.Fatal("the GET after the probe returned early")
		}
		time.Sleep(time.Millisecond)
	}
	writeWS(t, ws, "5")
	if st := <-late; st != 400 {
		t.Fatalf("GET pending at upgrade: %d", st)
	}
}

func TestUpgradeAbandoned(t *testing.T) {
	e := newEnv(t, engineio.Config{UpgradeTimeout: 100 * time.Millisecond})
	sid, c := e.pollingSession()
	ws := e.dial("EIO=4&transport=websocket&sid=" + sid)
	// No probe: the upgrade times out and the session stays on polling.
	var ce *wsconn.CloseError
	if m := readWS(t, ws); !errors.As(m.err, &ce) {
		t.Fatalf("want close, got %+v", m)
	}
	// A wrong first packet abandons the upgrade too.
	ws2 := e.dial("EIO=4&transport=websocket&sid=" + sid)
	writeWS(t, ws2, "4nope")
	if m := readWS(t, ws2); !errors.As(m.err, &ce) {
		t.Fatalf("want close, got %+v", m)
	}
	if c.Transport() != "polling" {
		t.Fatal("upgraded")
	}
	st, body, _ := e.do("POST", "EIO=4&transport=polling&sid="+sid, "4still", nil)
	if st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	if _, b, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil); b != "4still" {
		t.Fatalf("got %q", b)
	}
}

func TestHeartbeatWebSocket(t *testing.T) {
	e := newEnv(t, engineio.Config{PingInterval: 50 * time.Millisecond, PingTimeout: 400 * time.Millisecond})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	e.conn()
	for range 3 {
		if m := mustReadWS(t, ws); m != "2" {
			t.Fatalf("got %q, want ping", m)
		}
		writeWS(t, ws, "3")
	}
	// Stop answering: the session times out.
	for {
		m := readWS(t, ws)
		if m.err != nil {
			break
		}
		if m.data != "2" {
			t.Fatalf("got %q", m.data)
		}
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonPingTimeout {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestHeartbeatPolling(t *testing.T) {
	e := newEnv(t, engineio.Config{PingInterval: 50 * time.Millisecond, PingTimeout: 400 * time.Millisecond})
	sid, _ := e.pollingSession()
	q := "EIO=4&transport=polling&sid=" + sid
	for range 3 {
		if st, b, _ := e.do("GET", q, "", nil); st != 200 || b != "2" {
			t.Fatalf("%d %q", st, b)
		}
		if st, _, _ := e.do("POST", q, "3", nil); st != 200 {
			t.Fatal(st)
		}
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonPingTimeout {
		t.Fatalf("reason %q", ev.reason)
	}
	if st, body, _ := e.do("GET", q, "", nil); st != 400 || body != `{"code":1,"message":"Session ID unknown"}` {
		t.Fatalf("%d %s", st, body)
	}
}

func TestClientPingIsAnError(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	e.conn()
	writeWS(t, ws, "2")
	if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportError {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestMaxHTTPBufferSize(t *testing.T) {
	e := newEnv(t, engineio.Config{MaxHTTPBufferSize: 100})
	sid, _ := e.pollingSession()
	q := "EIO=4&transport=polling&sid=" + sid
	if st, _, _ := e.do("POST", q, "4"+strings.Repeat("x", 100), nil); st != 413 {
		t.Fatalf("status %d", st)
	}
	// Exactly at the limit is fine, and the session survived the 413.
	if st, _, _ := e.do("POST", q, "4"+strings.Repeat("x", 99), nil); st != 200 {
		t.Fatalf("status %d", st)
	}
	if _, b, _ := e.do("GET", q, "", nil); b != "4"+strings.Repeat("x", 99) {
		t.Fatalf("got %q", b)
	}

	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	e.conn()
	writeWS(t, ws, "4"+strings.Repeat("y", 100))
	var ce *wsconn.CloseError
	if m := readWS(t, ws); !errors.As(m.err, &ce) || ce.Code != wsconn.StatusTooBig {
		t.Fatalf("got %+v, want close 1009", m)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportError || !errors.Is(ev.err, wsconn.ErrMessageTooBig) {
		t.Fatalf("close %+v", ev)
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t, engineio.Config{
		AllowRequest: func(r *http.Request) error {
			if r.Header.Get("X-Deny") != "" {
				return errors.New("denied by policy")
			}
			return nil
		},
	})
	sid, _ := e.pollingSession()
	tests := []struct {
		name, method, query string
		hdr                 http.Header
		status              int
		body                string
	}{
		{"no transport", "GET", "EIO=4", nil, 400, `{"code":0,"message":"Transport unknown"}`},
		{"bad transport", "GET", "EIO=4&transport=abc", nil, 400, `{"code":0,"message":"Transport unknown"}`},
		{"unknown sid", "GET", "EIO=4&transport=polling&sid=nope", nil, 400, `{"code":1,"message":"Session ID unknown"}`},
		{"POST handshake", "POST", "EIO=4&transport=polling", nil, 400, `{"code":2,"message":"Bad handshake method"}`},
		{"PUT handshake", "PUT", "EIO=4&transport=polling", nil, 400, `{"code":2,"message":"Bad handshake method"}`},
		{"websocket without upgrade", "GET", "EIO=4&transport=websocket", nil, 400, `{"code":3,"message":"Bad request"}`},
		{"transport mismatch", "GET", "EIO=4&transport=websocket&sid=" + sid, nil, 400, `{"code":3,"message":"Bad request"}`},
		{"forbidden", "GET", "EIO=4&transport=polling", http.Header{"X-Deny": {"1"}}, 403, `{"code":4,"message":"denied by policy"}`},
		{"no EIO", "GET", "transport=polling", nil, 400, `{"code":5,"message":"Unsupported protocol version"}`},
		{"EIO 3", "GET", "EIO=3&transport=polling", nil, 400, `{"code":5,"message":"Unsupported protocol version"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body, hdr := e.do(tt.method, tt.query, "", tt.hdr)
			if st != tt.status || body != tt.body || hdr.Get("Content-Type") != "application/json" {
				t.Fatalf("got %d %s (%s)", st, body, hdr.Get("Content-Type"))
			}
		})
	}
	// WebSocket handshakes are rejected like Node's abortUpgrade: HTTP 400 with the message.
	for _, q := range []string{"EIO=4&transport=abc", "EIO=3&transport=websocket", "EIO=4&transport=websocket&sid=nope"} {
		_, err := wsconn.Dial(t.Context(), e.wsURL(q), wsconn.DialOptions{})
		var se *wsconn.StatusError
		if !errors.As(err, &se) || se.Status != 400 {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_, err := wsconn.Dial(t.Context(), e.wsURL("EIO=4&transport=websocket"), wsconn.DialOptions{Header: http.Header{"X-Deny": {"1"}}})
	var se *wsconn.StatusError
	if !errors.As(err, &se) || se.Body != "denied by policy" {
		t.Fatalf("forbidden websocket: %v", err)
	}
}

func TestWriteError(t *testing.T) {
	rec := &recorder{header: http.Header{}}
	engineio.WriteError(rec, nil, engineio.CodeForbidden, "")
	if rec.status != 403 || rec.body.String() != `{"code":4,"message":"Forbidden"}` {
		t.Fatalf("%d %s", rec.status, rec.body.String())
	}
	if engineio.CodeUnsupportedProtocolVersion.String() != "Unsupported protocol version" {
		t.Fatal("code 5 message")
	}
}

func TestCheckOrigin(t *testing.T) {
	e := newEnv(t, engineio.Config{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://ok.example" }})
	_, err := wsconn.Dial(t.Context(), e.wsURL("EIO=4&transport=websocket"), wsconn.DialOptions{Header: http.Header{"Origin": {"https://evil.example"}}})
	var se *wsconn.StatusError
	if !errors.As(err, &se) || se.Status != 400 || se.Body != "Forbidden" {
		t.Fatalf("err %v", err)
	}
	c, err := wsconn.Dial(t.Context(), e.wsURL("EIO=4&transport=websocket"), wsconn.DialOptions{Header: http.Header{"Origin": {"https://ok.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	mustReadWS(t, c)
	e.conn()
}

func TestCORS(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		e := newEnv(t, engineio.Config{CORS: &engineio.CORSConfig{Origins: []string{"https://a.example"}, Credentials: true, ExposedHeaders: []string{"X-A"}, MaxAge: time.Minute}})
		st, _, h := e.do("OPTIONS", "EIO=4&transport=polling", "", http.Header{"Origin": {"https://a.example"}, "Access-Control-Request-Headers": {"x-token"}})
		if st != 204 || h.Get("Access-Control-Allow-Origin") != "https://a.example" || h.Get("Access-Control-Allow-Credentials") != "true" ||
			h.Get("Access-Control-Allow-Methods") != "GET,HEAD,PUT,PATCH,POST,DELETE" || h.Get("Access-Control-Allow-Headers") != "x-token" || h.Get("Access-Control-Max-Age") != "60" {
			t.Fatalf("preflight %d %v", st, h)
		}
		st, _, h = e.do("GET", "EIO=4&transport=polling", "", http.Header{"Origin": {"https://a.example"}})
		if st != 200 || h.Get("Access-Control-Allow-Origin") != "https://a.example" || h.Get("Access-Control-Expose-Headers") != "X-A" {
			t.Fatalf("get %d %v", st, h)
		}
		e.conn()
		_, _, h = e.do("GET", "EIO=4&transport=polling", "", http.Header{"Origin": {"https://evil.example"}})
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("evil origin allowed: %v", h)
		}
		e.conn()
		// Error answers carry the CORS headers too.
		_, _, h = e.do("GET", "EIO=4&transport=abc", "", http.Header{"Origin": {"https://a.example"}})
		if h.Get("Access-Control-Allow-Origin") != "https://a.example" {
			t.Fatalf("error answer: %v", h)
		}
	})
	t.Run("star", func(t *testing.T) {
		e := newEnv(t, engineio.Config{CORS: &engineio.CORSConfig{Origins: []string{"*"}}})
		_, _, h := e.do("GET", "EIO=4&transport=polling", "", http.Header{"Origin": {"https://x.example"}})
		if h.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("%v", h)
		}
		e.conn()
	})
	t.Run("func", func(t *testing.T) {
		e := newEnv(t, engineio.Config{CORS: &engineio.CORSConfig{AllowOrigin: func(o string) bool { return strings.HasSuffix(o, ".ok") }}})
		_, _, h := e.do("GET", "EIO=4&transport=polling", "", http.Header{"Origin": {"https://x.ok"}})
		if h.Get("Access-Control-Allow-Origin") != "https://x.ok" {
			t.Fatalf("%v", h)
		}
		e.conn()
	})
}

func TestBadPollingInput(t *testing.T) {
	t.Run("parse error", func(t *testing.T) {
		e := newEnv(t, engineio.Config{})
		sid, _ := e.pollingSession()
		q := "EIO=4&transport=polling&sid=" + sid
		if st, body, _ := e.do("POST", q, "4ok\x1eabc", nil); st != 400 || body != `{"code":3,"message":"Bad request"}` {
			t.Fatalf("%d %s", st, body)
		}
		if ev := e.closeEvent(); ev.reason != engineio.ReasonParseError {
			t.Fatalf("reason %q", ev.reason)
		}
		if st, _, _ := e.do("GET", q, "", nil); st != 400 {
			t.Fatalf("status %d", st)
		}
	})
	t.Run("binary content type", func(t *testing.T) {
		e := newEnv(t, engineio.Config{})
		sid, _ := e.pollingSession()
		if st, _, _ := e.do("POST", "EIO=4&transport=polling&sid="+sid, "4x", http.Header{"Content-Type": {"application/octet-stream"}}); st != 400 {
			t.Fatalf("status %d", st)
		}
		if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportError {
			t.Fatalf("reason %q", ev.reason)
		}
	})
	t.Run("duplicate poll", func(t *testing.T) {
		e := newEnv(t, engineio.Config{})
		sid, c := e.pollingSession()
		q := "EIO=4&transport=polling&sid=" + sid
		first := make(chan string, 1)
		go func() {
			_, body, _ := e.do("GET", q, "", nil)
			first <- body
		}()
		waitPending(t, c)
		if st, _, _ := e.do("GET", q, "", nil); st != 400 {
			t.Fatalf("status %d", st)
		}
		if b := <-first; b != "1" {
			t.Fatalf("first poll got %q", b)
		}
		if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportError {
			t.Fatalf("reason %q", ev.reason)
		}
	})
	t.Run("cancelled poll", func(t *testing.T) {
		e := newEnv(t, engineio.Config{})
		sid, c := e.pollingSession()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"?EIO=4&transport=polling&sid="+sid, nil)
			if res, err := e.hs.Client().Do(req); err == nil {
				res.Body.Close()
			}
		}()
		waitPending(t, c)
		cancel()
		<-done
		if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportError {
			t.Fatalf("reason %q", ev.reason)
		}
	})
	t.Run("close packet", func(t *testing.T) {
		e := newEnv(t, engineio.Config{})
		sid, c := e.pollingSession()
		q := "EIO=4&transport=polling&sid=" + sid
		first := make(chan string, 1)
		go func() {
			_, body, _ := e.do("GET", q, "", nil)
			first <- body
		}()
		waitPending(t, c)
		if st, _, _ := e.do("POST", q, "1", nil); st != 200 {
			t.Fatal(st)
		}
		if b := <-first; b != "6" {
			t.Fatalf("poll got %q", b)
		}
		if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportClose {
			t.Fatalf("reason %q", ev.reason)
		}
		if st, _, _ := e.do("GET", q, "", nil); st != 400 {
			t.Fatalf("GET after close: %d", st)
		}
	})
	t.Run("close packet racing a GET", func(t *testing.T) {
		restore := engineio.SetCloseGrace(time.Minute)
		e := newEnv(t, engineio.Config{})
		sid, _ := e.pollingSession()
		q := "EIO=4&transport=polling&sid=" + sid
		if st, _, _ := e.do("POST", q, "1", nil); st != 200 {
			t.Fatal(st)
		}
		// A GET that arrives right after the close packet ends cleanly with a noop.
		if st, b, _ := e.do("GET", q, "", nil); st != 200 || b != "6" {
			t.Fatalf("GET: %d %q", st, b)
		}
		if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportClose {
			t.Fatalf("reason %q", ev.reason)
		}
		if st, _, _ := e.do("GET", q, "", nil); st != 400 {
			t.Fatalf("second GET: %d", st)
		}
		// Without a GET the session ends after the grace period.
		restore()
		sid, _ = e.pollingSession()
		e.do("POST", "EIO=4&transport=polling&sid="+sid, "1", nil)
		if ev := e.closeEvent(); ev.reason != engineio.ReasonTransportClose || ev.id != sid {
			t.Fatalf("close %+v", ev)
		}
	})
}

func TestCloseFlushes(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	c := e.conn()
	_ = c.Send(engineio.Message{Data: []byte("a")})
	_ = c.Send(engineio.Message{Data: []byte("b")})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); !errors.Is(err, engineio.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
	if err := c.Send(engineio.Message{Data: []byte("c")}); !errors.Is(err, engineio.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
	if a, b := mustReadWS(t, ws), mustReadWS(t, ws); a != "4a" || b != "4b" {
		t.Fatalf("got %q %q", a, b)
	}
	var ce *wsconn.CloseError
	if m := readWS(t, ws); !errors.As(m.err, &ce) {
		t.Fatalf("want close, got %+v", m)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedClose {
		t.Fatalf("reason %q", ev.reason)
	}
	select {
	case <-c.Context().Done():
	default:
		t.Fatal("context not cancelled")
	}

	// Polling: the next GET delivers the queue and a close packet.
	sid, pc := e.pollingSession()
	_ = pc.Send(engineio.Message{Data: []byte("bye")})
	_ = pc.Close()
	if _, b, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil); b != "4bye\x1e1" {
		t.Fatalf("got %q", b)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedClose {
		t.Fatalf("reason %q", ev.reason)
	}
	if n := e.srv.Count(); n != 0 {
		t.Fatalf("count %d", n)
	}
}

func TestSlowConsumer(t *testing.T) {
	e := newEnv(t, engineio.Config{MaxQueueBytes: 100})
	_, c := e.pollingSession()
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		err = c.Send(engineio.Message{Data: []byte("0123456789")})
	}
	if !errors.Is(err, engineio.ErrQueueFull) {
		t.Fatalf("err %v", err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonSlowConsumer {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestPanicInCallbackIsContained(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	e.srv.Close()
	closed := make(chan engineio.CloseReason, 2)
	srv, err := engineio.NewServer(engineio.Config{
		Path:   "/engine.io/",
		Logger: slog.New(slog.DiscardHandler),
		OnConnection: func(c *engineio.Conn) {
			c.OnMessage(func(data []byte, binary bool) {
				if string(data) == "boom" {
					panic("boom")
				}
				_ = c.Send(engineio.Message{Data: data})
			})
			c.OnClose(func(r engineio.CloseReason, err error) { closed <- r })
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e.srv = srv
	e.hs.Config.Handler = srv
	a := e.dial("EIO=4&transport=websocket")
	b := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, a)
	mustReadWS(t, b)
	writeWS(t, a, "4boom")
	if r := <-closed; r != engineio.ReasonTransportError {
		t.Fatalf("reason %q", r)
	}
	writeWS(t, b, "4alive")
	if m := mustReadWS(t, b); m != "4alive" {
		t.Fatalf("got %q", m)
	}
	// Polling: a panic in a POST's callback answers and closes only that session.
	_, body, _ := e.do("GET", "EIO=4&transport=polling", "", nil)
	sid := parseOpen(t, body).SID
	e.do("POST", "EIO=4&transport=polling&sid="+sid, "4boom", nil)
	if r := <-closed; r != engineio.ReasonTransportError {
		t.Fatalf("reason %q", r)
	}
}

func TestPanicInOnConnection(t *testing.T) {
	closed := make(chan engineio.CloseReason, 2)
	srv, err := engineio.NewServer(engineio.Config{
		Logger: slog.New(slog.DiscardHandler),
		OnConnection: func(c *engineio.Conn) {
			c.OnClose(func(r engineio.CloseReason, err error) { closed <- r })
			panic("boom")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	res, err := http.Get(hs.URL + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 500 {
		t.Fatalf("status %d", res.StatusCode)
	}
	ws, err := wsconn.Dial(t.Context(), "ws"+strings.TrimPrefix(hs.URL, "http")+"/socket.io/?EIO=4&transport=websocket", wsconn.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for range 2 {
		if r := <-closed; r != engineio.ReasonTransportError {
			t.Fatalf("reason %q", r)
		}
	}
	if srv.Count() != 0 {
		t.Fatal("sessions left")
	}
}

func TestShutdown(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	wc := e.conn()
	sid, pc := e.pollingSession()
	_, idle := e.pollingSession()
	pending := make(chan string, 1)
	go func() {
		_, body, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil)
		pending <- body
	}()
	waitPending(t, pc)
	_ = wc.Send(engineio.Message{Data: []byte("last")})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if m := mustReadWS(t, ws); m != "4last" {
		t.Fatalf("got %q", m)
	}
	if m := readWS(t, ws); m.err == nil {
		t.Fatalf("want close, got %q", m.data)
	}
	if b := <-pending; b != "1" {
		t.Fatalf("pending poll got %q", b)
	}
	reasons := map[string]engineio.CloseReason{}
	for range 3 {
		ev := e.closeEvent()
		reasons[ev.id] = ev.reason
	}
	for _, id := range []string{wc.ID(), pc.ID(), idle.ID()} {
		if reasons[id] != engineio.ReasonServerShutdown {
			t.Fatalf("%s: %q", id, reasons[id])
		}
	}
	if e.srv.Count() != 0 {
		t.Fatal("sessions left")
	}
	if st, _, _ := e.do("GET", "EIO=4&transport=polling", "", nil); st != http.StatusServiceUnavailable {
		t.Fatalf("handshake after shutdown: %d", st)
	}
	if err := e.srv.Shutdown(ctx); !errors.Is(err, engineio.ErrServerClosed) {
		t.Fatal(err)
	}
}

func TestConcurrentSendStress(t *testing.T) {
	e := newEnv(t, engineio.Config{MaxQueueBytes: 64 << 20})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	c := e.conn()
	const senders, per = 8, 500
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range per {
				msg, _ := json.Marshal([2]int{s, i})
				if err := c.Send(engineio.Message{Data: msg}); err != nil {
					t.Error(err)
					return
				}
				_ = c.Writable()
			}
		})
	}
	readInOrder(t, ws, senders, per)
	wg.Wait()
}

// Regression: a graceful Shutdown of a WebSocket session whose writer is still flushing when
// the write fails (here the client stopped reading and the write times out; in the field, a
// client that went away just after an upgrade) must end the session at once. It used to leave
// the session "closing" with nobody to finish it, holding Shutdown until its ctx deadline.
func TestShutdownWhileWriteFails(t *testing.T) {
	e := newEnv(t, engineio.Config{WriteTimeout: 50 * time.Millisecond, MaxQueueBytes: 256 << 20})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws) // the open packet; nothing is read after it
	c := e.conn()
	chunk := make([]byte, 64<<10)
	for range 1024 { // 64 MiB: far beyond what the socket buffers hold
		if err := c.Send(engineio.Message{Data: chunk, Binary: true}); err != nil {
			t.Fatal(err)
		}
	}
	if c.Writable() {
		t.Fatal("the writer is not backlogged")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonServerShutdown {
		t.Fatalf("reason %q", ev.reason)
	}
}

// Regression: a polling session already closing gracefully (Conn.Close with no GET pending,
// e.g. a client that paused polling for an upgrade and then went away) must not hold Shutdown
// until the next GET or the ctx deadline.
func TestShutdownEndsClosingPollingSession(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	_, c := e.pollingSession()
	if err := c.Send(engineio.Message{Data: []byte("never polled")}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedClose {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestCloseWithReason(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	// CloseWithReason flushes like Close and reports its reason; the first reason stays.
	sid, pc := e.pollingSession()
	_ = pc.Send(engineio.Message{Data: []byte("bye")})
	if err := pc.CloseWithReason(engineio.ReasonForcedServerClose); err != nil {
		t.Fatal(err)
	}
	if err := pc.CloseWithReason(engineio.ReasonParseError); !errors.Is(err, engineio.ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
	if _, b, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil); b != "4bye\x1e1" {
		t.Fatalf("got %q", b)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedServerClose {
		t.Fatalf("reason %q", ev.reason)
	}

	// CloseNow drops the queue: the WebSocket gets no message, only the close. The writer is
	// held busy so that the message is still queued when CloseNow runs (a free writer could
	// have written it already, and that is not a flush).
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	c := e.conn()
	release := engineio.HoldWriter(c)
	_ = c.Send(engineio.Message{Data: []byte("dropped")})
	err := c.CloseNow(engineio.ReasonParseError)
	release()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CloseNow(engineio.ReasonParseError); !errors.Is(err, engineio.ErrClosed) {
		t.Fatalf("second CloseNow: %v", err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonParseError {
		t.Fatalf("reason %q", ev.reason)
	}
	for {
		m := readWS(t, ws)
		if m.err != nil {
			break
		}
		if m.data == "4dropped" {
			t.Fatal("CloseNow flushed the queue")
		}
	}

	// CloseNow on a polling session: a pending GET gets the close packet only.
	sid, pc = e.pollingSession()
	pending := make(chan string, 1)
	go func() {
		_, body, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil)
		pending <- body
	}()
	waitPending(t, pc)
	if err := pc.CloseNow(engineio.ReasonParseError); err != nil {
		t.Fatal(err)
	}
	if b := <-pending; b != "1" {
		t.Fatalf("pending GET got %q", b)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonParseError {
		t.Fatalf("reason %q", ev.reason)
	}

	// CloseNow cuts a graceful close short: a polling session waiting for its next GET ends
	// at once, with the first reason.
	_, pc = e.pollingSession()
	_ = pc.Send(engineio.Message{Data: []byte("unpolled")})
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pc.CloseNow(engineio.ReasonParseError); err != nil {
		t.Fatal(err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedClose {
		t.Fatalf("reason %q", ev.reason)
	}
	if n := e.srv.Count(); n != 0 {
		t.Fatalf("count %d", n)
	}
	// An empty reason is ReasonForcedClose.
	_, pc = e.pollingSession()
	if err := pc.CloseNow(""); err != nil {
		t.Fatal(err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedClose {
		t.Fatalf("reason %q", ev.reason)
	}
}
