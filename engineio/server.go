package engineio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/workpool"
	"github.com/sockspec/sockspec/internal/wsconn"
)

// Server is an Engine.IO v4 server and an http.Handler. It is safe for concurrent use.
type Server struct {
	cfg         Config
	log         *slog.Logger
	pathNoSlash string
	polling     bool // polling transport enabled
	websocket   bool // websocket transport enabled
	openPolling []byte
	openWS      []byte
	wsOpts      wsconn.Options

	mu     sync.RWMutex
	conns  map[string]*Conn
	closed bool
	wg     sync.WaitGroup // open sessions and connection goroutines
	pool   *workpool.Pool // runs the WebSocket writers; closed after wg at shutdown
}

// NewServer validates cfg, applies its defaults and returns a Server. It starts no goroutine.
func NewServer(cfg Config) (*Server, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:         cfg,
		log:         cfg.Logger,
		pathNoSlash: strings.TrimSuffix(cfg.Path, "/"),
		polling:     slices.Contains(cfg.Transports, TransportPolling),
		websocket:   slices.Contains(cfg.Transports, TransportWebSocket),
		conns:       make(map[string]*Conn),
		wsOpts:      wsconn.Options{MaxMessageSize: cfg.MaxHTTPBufferSize, WriteTimeout: cfg.WriteTimeout},
		pool:        workpool.New(workpool.Config{}),
	}
	upgrades := "[]"
	if s.websocket && !cfg.DisableUpgrades {
		upgrades = `["websocket"]`
	}
	s.openPolling = s.openSuffix(upgrades)
	s.openWS = s.openSuffix("[]")
	return s, nil
}

func (s *Server) openSuffix(upgrades string) []byte {
	b := []byte(`","upgrades":`)
	b = append(b, upgrades...)
	b = append(b, `,"pingInterval":`...)
	b = strconv.AppendInt(b, s.cfg.PingInterval.Milliseconds(), 10)
	b = append(b, `,"pingTimeout":`...)
	b = strconv.AppendInt(b, s.cfg.PingTimeout.Milliseconds(), 10)
	b = append(b, `,"maxPayload":`...)
	b = strconv.AppendInt(b, s.cfg.MaxHTTPBufferSize, 10)
	return append(b, '}')
}

func (s *Server) openPacket(sid string, suffix []byte) []byte {
	b := make([]byte, 0, 10+len(sid)+len(suffix))
	b = append(b, `0{"sid":"`...)
	b = append(b, sid...)
	return append(b, suffix...)
}

// Count returns the number of open sessions.
func (s *Server) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.conns)
}

func (s *Server) isOpen() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return !s.closed
}

func (s *Server) lookup(sid string) *Conn {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.conns[sid]
}

func (s *Server) register(c *Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c.id] = c
	s.wg.Add(1) // released by Conn.finish
	return true
}

func (s *Server) remove(c *Conn) {
	s.mu.Lock()
	if s.conns[c.id] == c {
		delete(s.conns, c.id)
	}
	s.mu.Unlock()
}

func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) newConn(r *http.Request, kind transportKind, ws *wsconn.Conn) *Conn {
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	req := r.WithContext(context.WithoutCancel(r.Context()))
	req.Body = http.NoBody
	c := &Conn{srv: s, id: newID(), req: req, ctx: ctx, cancel: cancel, kind: kind, ws: ws}
	c.mu.Lock() // orders the timer's creation before its first fire
	c.due = time.Now().Add(s.cfg.PingInterval)
	c.timer = time.AfterFunc(s.cfg.PingInterval, c.onTimer)
	c.mu.Unlock()
	return c
}

// ServeHTTP serves Engine.IO requests on the configured path (with or without its trailing
// slash) and answers 404 elsewhere.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.cfg.Path && r.URL.Path != s.pathNoSlash {
		http.NotFound(w, r)
		return
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "engineio: panic recovered in handler", slog.Any("panic", v), slog.String("remote", r.RemoteAddr))
		}
	}()
	isWS := wsconn.IsUpgrade(r)
	if !isWS && s.cfg.CORS != nil && s.applyCORS(w, r) {
		return
	}
	q := r.URL.Query()
	transport := q.Get("transport")
	if !(transport == TransportPolling && s.polling) && !(transport == TransportWebSocket && s.websocket) {
		s.reject(w, r, isWS, CodeUnknownTransport, "", "unknown transport")
		return
	}
	if sid := q.Get("sid"); sid != "" {
		c := s.lookup(sid)
		if c == nil || c.expired() {
			s.reject(w, r, isWS, CodeUnknownSID, "", "unknown sid")
			return
		}
		if isWS {
			if transport != TransportWebSocket {
				s.reject(w, r, isWS, CodeBadRequest, "", "websocket upgrade with a polling transport")
				return
			}
			if s.cfg.CheckOrigin != nil && !s.cfg.CheckOrigin(r) {
				s.reject(w, r, isWS, CodeForbidden, "", "origin rejected")
				return
			}
			s.serveUpgrade(w, r, c)
			return
		}
		if c.Transport() != transport {
			s.reject(w, r, isWS, CodeBadRequest, "", "transport mismatch")
			return
		}
		switch r.Method {
		case http.MethodGet:
			c.servePoll(w, r)
		case http.MethodPost:
			c.servePost(w, r)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
		return
	}
	if r.Method != http.MethodGet {
		s.reject(w, r, isWS, CodeBadHandshakeMethod, "", "bad handshake method")
		return
	}
	if transport == TransportWebSocket && !isWS {
		s.reject(w, r, isWS, CodeBadRequest, "", "websocket transport without upgrade")
		return
	}
	if isWS && transport != TransportWebSocket {
		s.reject(w, r, isWS, CodeBadRequest, "", "websocket upgrade with a polling transport")
		return
	}
	if isWS && s.cfg.CheckOrigin != nil && !s.cfg.CheckOrigin(r) {
		s.reject(w, r, isWS, CodeForbidden, "", "origin rejected")
		return
	}
	if s.cfg.AllowRequest != nil {
		if err := s.cfg.AllowRequest(r); err != nil {
			s.reject(w, r, isWS, CodeForbidden, err.Error(), "handshake rejected by AllowRequest")
			return
		}
	}
	if q.Get("EIO") != "4" {
		s.reject(w, r, isWS, CodeUnsupportedProtocolVersion, "", "unsupported protocol version")
		return
	}
	if !s.isOpen() {
		writeJSONError(w, http.StatusServiceUnavailable, CodeBadRequest, "Server shutting down")
		return
	}
	if isWS {
		s.handshakeWebSocket(w, r)
	} else {
		s.handshakePolling(w, r)
	}
}

// reject answers a request that fails verification. Polling requests get the JSON error
// format; WebSocket requests get Node's abortUpgrade answer (HTTP 400 with the message as text).
func (s *Server) reject(w http.ResponseWriter, r *http.Request, isWS bool, code ErrorCode, msg, logMsg string) {
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "engineio: request rejected: "+logMsg,
			slog.Int("code", int(code)), slog.String("remote", r.RemoteAddr), slog.String("url", r.URL.RequestURI()))
	}
	if !isWS {
		WriteError(w, r, code, msg)
		return
	}
	if msg == "" {
		msg = code.String()
	}
	h := w.Header()
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(msg))
}

func (s *Server) handshakePolling(w http.ResponseWriter, r *http.Request) {
	c := s.newConn(r, kindPolling, nil)
	if !s.register(c) {
		c.timer.Stop()
		c.cancel()
		writeJSONError(w, http.StatusServiceUnavailable, CodeBadRequest, "Server shutting down")
		return
	}
	if !s.connected(c) {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writePollResponse(w, s.openPacket(c.id, s.openPolling))
}

func (s *Server) handshakeWebSocket(w http.ResponseWriter, r *http.Request) {
	ws, err := wsconn.Upgrade(w, r, nil, s.wsOpts)
	if err != nil {
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "engineio: websocket upgrade failed", slog.String("remote", r.RemoteAddr), slog.Any("err", err))
		}
		return
	}
	c := s.newConn(r, kindWebSocket, ws)
	if !s.register(c) {
		c.timer.Stop()
		c.cancel()
		_ = ws.Close(wsconn.StatusGoingAway, "")
		return
	}
	if err := ws.WriteMessage(false, s.openPacket(c.id, s.openWS)); err != nil {
		c.closeWith(ReasonTransportError, err, false)
		return
	}
	if !s.connected(c) {
		return
	}
	s.wg.Add(1)
	go c.readLoop(ws)
}

// connected runs OnConnection; a panic in it is logged and closes the session.
func (s *Server) connected(c *Conn) (ok bool) {
	defer c.recoverPanic("OnConnection") // on a panic, ok stays false
	s.cfg.OnConnection(c)
	return true
}

// Shutdown stops accepting handshakes (HTTP 503), closes every session with
// [ReasonServerShutdown] after flushing what can be flushed (queued WebSocket messages, a
// pending polling GET), and waits until every session and connection goroutine has finished or
// ctx is done; then it closes the rest without flushing, waits for their goroutines and returns
// ctx's error. Later calls return [ErrServerClosed]. Call it before http.Server.Shutdown, which
// does not track hijacked WebSocket connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.closed = true
	conns := s.snapshotLocked()
	s.mu.Unlock()
	for _, c := range conns {
		if !c.closeWith(ReasonServerShutdown, nil, true) {
			c.endIdleClose()
		}
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.pool.Close()
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	conns = s.snapshotLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.forceClose()
	}
	<-done
	s.pool.Close()
	return ctx.Err()
}

// Close closes every session immediately, without flushing, and waits for their goroutines.
// Later calls return [ErrServerClosed].
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Shutdown(ctx); err == ErrServerClosed {
		return err
	}
	return nil
}

func (s *Server) snapshotLocked() []*Conn {
	conns := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	return conns
}

// endIdleClose finishes a session that was already closing gracefully on polling with no GET
// pending: with the server shutting down its flush is given up, as for the sessions Shutdown
// closes itself, instead of waiting for a GET that may never come.
func (c *Conn) endIdleClose() {
	c.mu.Lock()
	idle := c.state == stateClosing && c.kind == kindPolling && !c.pollBusy
	c.mu.Unlock()
	if idle {
		c.finish()
	}
}

// forceClose closes the transports now and finishes the session.
func (c *Conn) forceClose() {
	c.mu.Lock()
	ws, up := c.ws, c.up
	c.up = nil
	c.mu.Unlock()
	if up != nil {
		up.timer.Stop()
		_ = up.ws.CloseNow()
	}
	if ws != nil {
		_ = ws.CloseNow()
	}
	c.finish()
}
