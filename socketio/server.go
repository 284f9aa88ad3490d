package socketio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/internal/workpool"
)

// Log attribute keys.
const (
	attrSID       = "sid"
	attrNsp       = "nsp"
	attrEvent     = "event"
	attrErr       = "err"
	attrRemote    = "remote"
	attrTransport = "transport"
)

// Config configures a [Server]. The zero value is a working server: every
// zero field selects the documented default.
type Config struct {
	// Engine configures the Engine.IO layer (path, heartbeat, payload and
	// queue limits, CORS, ...). Its OnConnection must be nil: the Socket.IO
	// server sets it. A nil Engine.Logger means Logger.
	Engine engineio.Config
	// ConnectTimeout is how long a client may stay connected without
	// joining any namespace before the connection is closed; zero means 45s.
	ConnectTimeout time.Duration
	// Adapter builds the adapter of each namespace; nil means
	// [NewMemoryAdapter].
	Adapter func(ns *Namespace) Adapter
	// Recovery enables connection state recovery; nil means off.
	Recovery *RecoveryConfig
	// MaxPendingEvents bounds the events queued for one socket's handlers;
	// zero means 256. A client that exceeds it is disconnected (Warn log).
	MaxPendingEvents int
	// MaxAttachments bounds the binary attachments of one packet; zero
	// means 10 (as Node).
	MaxAttachments int
	// OnEmit, if set, is called once per emit (Socket.Emit, EmitWithAck,
	// volatile emits and every broadcast) before the arguments are encoded,
	// and returns the arguments to encode: args itself, or a replacement
	// such as the same values already encoded as json.RawMessage (which are
	// sent verbatim). A non-nil error aborts the emit and is returned by it,
	// wrapped. It lets a layer above validate every outgoing event in one
	// place. It must be safe for concurrent use, must not emit, and must not
	// modify args (it is the caller's).
	OnEmit func(ns *Namespace, event string, args []any) ([]any, error)
	// OnAck, if set, is called once per ack a client returns to an emit
	// that asked for one: the answer to a Socket.EmitWithAck, and each
	// answer to a BroadcastOperator.EmitWithAck or Namespace.EmitWithAck
	// (those an adapter relays from other servers included). event is the
	// name of the emitted event. It runs on the goroutine of the
	// EmitWithAck call once the answer is in, never on a connection's read
	// loop (so it may take its time without stalling other packets), and
	// before the caller sees the answer. A non-nil error is returned by
	// Socket.EmitWithAck, wrapped, with the ack; for a broadcast the answer
	// is left out of the result and the error, wrapped, is joined into the
	// call's error. It is OnEmit's counterpart for the client's side of an
	// exchange, so a layer above can validate every ack in one place. It
	// must be safe for concurrent use and must not modify args.
	OnAck func(ns *Namespace, event string, args Args) error
	// Logger receives Warn records for limits hit, Error records for
	// recovered panics and Debug records for peers' protocol mistakes; nil
	// means slog.Default().
	Logger *slog.Logger
}

// RecoveryConfig configures connection state recovery (socket.io v4.6
// semantics).
type RecoveryConfig struct {
	// MaxDisconnectionDuration is how long a disconnected socket's session
	// and the broadcasts it may miss are kept; zero means 2 minutes.
	MaxDisconnectionDuration time.Duration
	// SkipMiddlewares skips the middlewares when a session is recovered.
	SkipMiddlewares bool
	// MaxPackets bounds the number of broadcasts kept per namespace for
	// replay; zero means 10000. When older packets are dropped, sockets
	// whose offset is gone reconnect without recovery.
	MaxPackets int
}

// Server is a Socket.IO v5 server. It is an http.Handler: mount it on the
// Engine.IO path (default "/socket.io/"). Its methods are safe for
// concurrent use.
type Server struct {
	cfg            Config
	logger         *slog.Logger
	engine         *engineio.Server
	recovery       *RecoveryConfig
	maxPending     int
	connectTimeout time.Duration

	mws atomic.Pointer[[]Middleware]

	mu       sync.RWMutex
	nsps     map[string]*Namespace
	matchers []matcher
	dynMu    sync.Mutex // serialises dynamic namespace creation

	wg     sync.WaitGroup // connect goroutines and socket drain tasks
	pool   *workpool.Pool // runs the drain tasks; closed after wg
	closed atomic.Bool
}

type matcher struct {
	match func(name string) bool
	setup func(*Namespace)
}

// NewServer returns a server with the main namespace "/" created. It
// fails if cfg holds negative limits or an invalid Engine configuration.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Engine.OnConnection != nil {
		return nil, errors.New("socketio: Config.Engine.OnConnection must be nil")
	}
	srv, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	ecfg := cfg.Engine
	if ecfg.Logger == nil {
		ecfg.Logger = srv.logger
	}
	ecfg.OnConnection = srv.onEngineConn
	srv.engine, err = engineio.NewServer(ecfg)
	if err != nil {
		return nil, fmt.Errorf("socketio: %w", err)
	}
	return srv, nil
}

// newServer builds everything but the Engine.IO server.
func newServer(cfg Config) (*Server, error) {
	if cfg.ConnectTimeout < 0 || cfg.MaxPendingEvents < 0 || cfg.MaxAttachments < 0 {
		return nil, errors.New("socketio: negative durations and limits are invalid")
	}
	srv := &Server{cfg: cfg, logger: cfg.Logger, nsps: make(map[string]*Namespace), pool: workpool.New(workpool.Config{})}
	if srv.logger == nil {
		srv.logger = slog.Default()
	}
	srv.connectTimeout = cfg.ConnectTimeout
	if srv.connectTimeout == 0 {
		srv.connectTimeout = 45 * time.Second
	}
	srv.maxPending = cfg.MaxPendingEvents
	if srv.maxPending == 0 {
		srv.maxPending = 256
	}
	if cfg.Recovery != nil {
		rc := *cfg.Recovery
		if rc.MaxDisconnectionDuration < 0 || rc.MaxPackets < 0 {
			return nil, errors.New("socketio: negative recovery limits are invalid")
		}
		if rc.MaxDisconnectionDuration == 0 {
			rc.MaxDisconnectionDuration = 2 * time.Minute
		}
		if rc.MaxPackets == 0 {
			rc.MaxPackets = 10000
		}
		srv.recovery = &rc
	}
	srv.mws.Store(&[]Middleware{})
	srv.Of("/")
	return srv, nil
}

// ServeHTTP serves the Engine.IO endpoint.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	srv.engine.ServeHTTP(w, r)
}

// Engine returns the underlying Engine.IO server (for its session count
// and error helpers).
func (srv *Server) Engine() *engineio.Server { return srv.engine }

// Use adds a middleware run for every namespace connection, before the
// namespace's own middlewares. (Unlike Node's io.use, which covers only the
// main namespace.)
func (srv *Server) Use(mw Middleware) {
	if mw == nil {
		panic("socketio: nil middleware")
	}
	for {
		old := srv.mws.Load()
		n := append((*old)[:len(*old):len(*old)], mw)
		if srv.mws.CompareAndSwap(old, &n) {
			return
		}
	}
}

// normalizeNamespace gives name a leading "/" ("" is the main namespace).
func normalizeNamespace(name string) string {
	if !strings.HasPrefix(name, "/") {
		return "/" + name
	}
	return name
}

// Of returns the namespace called name, creating it on first use. A name
// without a leading "/" gets one.
func (srv *Server) Of(name string) *Namespace {
	name = normalizeNamespace(name)
	srv.mu.RLock()
	ns := srv.nsps[name]
	srv.mu.RUnlock()
	if ns != nil {
		return ns
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if ns = srv.nsps[name]; ns == nil {
		ns = newNamespace(srv, name)
		srv.nsps[name] = ns
	}
	return ns
}

// OfMatch registers dynamic namespaces: when a client connects to a
// namespace that does not exist yet and match(name) is true, the namespace
// is created, set up by setup (register its handlers and middlewares there)
// and then kept like a static one. Matchers are tried in registration
// order; they may be called concurrently.
func (srv *Server) OfMatch(match func(name string) bool, setup func(ns *Namespace)) {
	if match == nil {
		panic("socketio: nil namespace matcher")
	}
	srv.mu.Lock()
	srv.matchers = append(srv.matchers, matcher{match: match, setup: setup})
	srv.mu.Unlock()
}

// lookup returns the namespace for a CONNECT, creating a dynamic one if a
// matcher accepts the name; nil if none does. Runs user code (matchers and
// setup), so never on a read loop.
func (srv *Server) lookup(name string) (ns *Namespace) {
	srv.mu.RLock()
	ns = srv.nsps[name]
	ms := srv.matchers
	srv.mu.RUnlock()
	if ns != nil || len(ms) == 0 {
		return ns
	}
	srv.dynMu.Lock()
	defer srv.dynMu.Unlock()
	srv.mu.RLock()
	ns = srv.nsps[name]
	srv.mu.RUnlock()
	if ns != nil {
		return ns
	}
	defer func() {
		if r := recover(); r != nil {
			srv.logger.LogAttrs(context.Background(), slog.LevelError, "panic in namespace matcher or setup",
				slog.String(attrNsp, name), slog.Any(attrErr, r), slog.String("stack", string(debug.Stack())))
			ns = nil
		}
	}()
	for _, m := range ms {
		if !m.match(name) {
			continue
		}
		ns = newNamespace(srv, name)
		if m.setup != nil {
			m.setup(ns)
		}
		srv.mu.Lock()
		srv.nsps[name] = ns
		srv.mu.Unlock()
		return ns
	}
	return nil
}

// Shutdown stops accepting connections, disconnects every socket with
// "server shutting down", waits for handlers and connection goroutines to
// return (or ctx to end) and closes the adapters. Later calls return
// [ErrServerClosed].
func (srv *Server) Shutdown(ctx context.Context) error {
	if !srv.closed.CompareAndSwap(false, true) {
		return ErrServerClosed
	}
	var err error
	if srv.engine != nil {
		err = srv.engine.Shutdown(ctx)
	}
	done := make(chan struct{})
	go func() {
		srv.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		srv.pool.Close()
	case <-ctx.Done():
		srv.pool.Stop() // handlers still running: their workers exit when they return
		return errors.Join(err, ctx.Err())
	}
	return errors.Join(err, srv.closeAdapters(ctx))
}

// Close closes every connection at once and waits for the goroutines to
// return. Later calls return [ErrServerClosed].
func (srv *Server) Close() error {
	if !srv.closed.CompareAndSwap(false, true) {
		return ErrServerClosed
	}
	var err error
	if srv.engine != nil {
		err = srv.engine.Close()
	}
	srv.wg.Wait()
	srv.pool.Close()
	return errors.Join(err, srv.closeAdapters(context.Background()))
}

func (srv *Server) closeAdapters(ctx context.Context) error {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	var errs []error
	for _, ns := range srv.nsps {
		if err := ns.adapter.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close adapter of %q: %w", ns.name, err))
		}
	}
	return errors.Join(errs...)
}

// checkEmit runs Config.OnEmit and returns the arguments to encode.
func (srv *Server) checkEmit(ns *Namespace, event string, args []any) ([]any, error) {
	if srv.cfg.OnEmit == nil {
		return args, nil
	}
	args, err := srv.cfg.OnEmit(ns, event, args)
	if err != nil {
		return nil, fmt.Errorf("emit %q: %w", event, err)
	}
	return args, nil
}

// checkAck runs Config.OnAck on a client's answer to event.
func (srv *Server) checkAck(ns *Namespace, event string, a Args) error {
	if srv.cfg.OnAck == nil {
		return nil
	}
	if err := srv.cfg.OnAck(ns, event, a); err != nil {
		return fmt.Errorf("ack of %q: %w", event, err)
	}
	return nil
}

func (srv *Server) debug(msg string, s *Socket, attrs ...slog.Attr) {
	if !srv.logger.Enabled(s.ctx, slog.LevelDebug) {
		return
	}
	attrs = append(attrs, slog.String(attrSID, string(s.id)), slog.String(attrNsp, s.ns.name))
	srv.logger.LogAttrs(s.ctx, slog.LevelDebug, msg, attrs...)
}

func (srv *Server) debugConn(msg string, c *client, attrs ...slog.Attr) {
	ctx := c.tr.context()
	if !srv.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	if r := c.tr.request(); r != nil {
		attrs = append(attrs, slog.String(attrRemote, r.RemoteAddr))
	}
	attrs = append(attrs, slog.String(attrTransport, c.tr.transport()))
	srv.logger.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}

// newID returns 20 random URL-safe characters, like Node's base64id.
func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
