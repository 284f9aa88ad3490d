package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/internal/wsconn"
)

// fakeServer is a scripted Engine.IO WebSocket endpoint: it sends the open packet and answers
// the first CONNECT, then runs script.
func fakeServer(t *testing.T, open string, script func(c *wsconn.Conn)) string {
	t.Helper()
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := wsconn.Upgrade(w, r, nil, wsconn.Options{})
		if err != nil {
			return
		}
		wg.Add(1)
		defer wg.Done()
		defer c.CloseNow()
		if err := c.WriteMessage(false, []byte(open)); err != nil {
			return
		}
		if msg, _, err := c.ReadMessage(); err != nil || string(msg) != "40" {
			return
		}
		if err := c.WriteMessage(false, []byte(`40{"sid":"fake"}`)); err != nil {
			return
		}
		script(c)
	}))
	t.Cleanup(func() {
		srv.Close()
		wg.Wait()
	})
	return srv.URL
}

// drain reads until the client goes away.
func drain(c *wsconn.Conn) {
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}

var wsOnly = []client.Transport{client.WebSocket}

func TestPingTimeout(t *testing.T) {
	url := fakeServer(t, `0{"sid":"e1","upgrades":[],"pingInterval":50,"pingTimeout":50,"maxPayload":1000000}`, drain)
	reasons := make(chan client.DisconnectReason, 1)
	m, err := client.NewManager(url, client.Config{Transports: wsOnly, Reconnection: client.Reconnection{Disable: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := m.Socket("/", nil)
	s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
	start := time.Now()
	if err := s.Connect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, reasons); r != client.ReasonPingTimeout {
		t.Fatalf("reason %q, want ping timeout", r)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("ping timeout after %v, before pingInterval+pingTimeout", d)
	}
	if m.Transport() != "" {
		t.Error("connection still open")
	}
}

func TestParseErrorFromServer(t *testing.T) {
	url := fakeServer(t, `0{"sid":"e1","upgrades":[],"pingInterval":10000,"pingTimeout":5000,"maxPayload":1000000}`, func(c *wsconn.Conn) {
		_ = c.WriteMessage(false, []byte(`4garbage`))
		drain(c)
	})
	reasons := make(chan client.DisconnectReason, 1)
	m, err := client.NewManager(url, client.Config{Transports: wsOnly, Reconnection: client.Reconnection{Disable: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := m.Socket("/", nil)
	s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
	if err := s.Connect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, reasons); r != client.ReasonParseError {
		t.Fatalf("reason %q, want parse error", r)
	}
}

func TestBadHandshake(t *testing.T) {
	for _, open := range []string{`0{}`, `0not json`, `4{"sid":"x"}`, `0{"sid":"x","pingInterval":0,"pingTimeout":1}`} {
		url := fakeServer(t, open, drain)
		_, err := client.Dial(testCtx(t), url, client.Config{Transports: wsOnly})
		if err == nil {
			t.Errorf("open %s: Dial succeeded", open)
		}
	}
}

// failingTransport fails every request once fail is set.
type failingTransport struct {
	fail atomic.Bool
	rt   http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.fail.Load() {
		return nil, errors.New("network down")
	}
	return f.rt.RoundTrip(r)
}

func TestReconnectionGivesUp(t *testing.T) {
	needRef(t)
	ft := &failingTransport{rt: http.DefaultTransport.(*http.Transport).Clone()}
	defer ft.rt.(*http.Transport).CloseIdleConnections()
	cfg := client.Config{
		Transports:   []client.Transport{client.Polling},
		HTTPClient:   &http.Client{Transport: ft},
		Reconnection: client.Reconnection{Attempts: 2, Delay: 5 * time.Millisecond, DelayMax: 10 * time.Millisecond},
	}
	connErrs := make(chan error, 1)
	reasons := make(chan client.DisconnectReason, 1)
	s := dial(t, ref.Port, "/", cfg, func(s *client.Socket) {
		s.OnConnectError(func(err error) { connErrs <- err })
		s.OnDisconnect(func(r client.DisconnectReason) { reasons <- r })
	})
	ft.fail.Store(true)
	if r := recv(t, reasons); r != client.ReasonTransportError {
		t.Errorf("reason %q", r)
	}
	err := recv(t, connErrs)
	if err == nil || s.Connected() {
		t.Fatalf("OnConnectError(%v), connected %v", err, s.Connected())
	}
	// the socket can connect again once the network is back
	ft.fail.Store(false)
	if err := s.Connect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

func TestCloseDuringConnect(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	m, err := client.NewManager(srv.URL, client.Config{Transports: []client.Transport{client.Polling}})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Socket("/", nil)
	done := make(chan error, 1)
	go func() { done <- s.Connect(context.Background()) }()
	// Close races the handshake: either Connect finds the Manager closed or its dial is
	// cancelled.
	_ = m.Close()
	if err := recv(t, done); err == nil {
		t.Fatal("Connect succeeded after Close")
	}
	if err := s.Connect(testCtx(t)); !errors.Is(err, client.ErrClosed) {
		t.Errorf("Connect after Close: %v", err)
	}
}

func TestHandshakeHTTPError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":0,"message":"Transport unknown"}`))
	}))
	defer srv.Close()
	for _, m := range modes {
		_, err := client.Dial(testCtx(t), srv.URL, client.Config{Transports: m.trs})
		var herr *client.HTTPError
		if !errors.As(err, &herr) || herr.StatusCode != http.StatusBadRequest || herr.Body != `{"code":0,"message":"Transport unknown"}` {
			t.Errorf("%s: err = %v", m.name, err)
		}
	}
}

// TestUpgradeRefused: when the WebSocket probe cannot be opened (a proxy that only passes
// plain HTTP), the connection stays on polling and keeps working.
func TestUpgradeRefused(t *testing.T) {
	needRef(t)
	target, err := url.Parse(refURL(ref.Port, ""))
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	rp.Transport = tr
	probes := make(chan struct{}, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			select {
			case probes <- struct{}{}:
			default:
			}
			http.Error(w, "no websockets here", http.StatusBadRequest)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	s, err := client.Dial(testCtx(t), proxy.URL, client.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Manager().Close()
	recv(t, probes)
	for i := range 5 {
		if _, err := s.EmitWithAck(testCtx(t), "ack", i); err != nil {
			t.Fatal(err)
		}
	}
	if tr := s.Manager().Transport(); tr != client.Polling {
		t.Errorf("transport %q, want polling", tr)
	}
}
