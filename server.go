package sockspec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/docs"
	"github.com/sockspec/sockspec/internal/fastschema"
	"github.com/sockspec/sockspec/socketio"
)

// Server is a Socket.IO server held to an AsyncAPI document. It is an
// http.Handler serving the Socket.IO path and the docs ({base}/docs,
// {base}/docs/asyncapi.json and {base}/docs/asyncapi.yaml, base being the
// parent of the Socket.IO path). Register handlers and hooks, then call
// [Server.Start] (the first request calls it otherwise). Its methods are safe
// for concurrent use; registering after Start panics.
type Server struct {
	doc      *asyncapi.Document
	cfg      Config
	log      *slog.Logger
	sio      *socketio.Server
	docs     http.Handler
	sioPath  string // "/socket.io/"
	docsPath string // "/docs"
	base     string // absolute directory of the main file
	server   *asyncapi.Server

	mu         sync.Mutex
	started    bool
	startErr   error
	namespaces map[string]*Namespace
	named      map[string]any
	secFuncs   map[string]SecurityFunc
	needMethod bool
	ready      atomic.Bool // Start succeeded (or ran with problems allowed)
	fast       map[*asyncapi.Schema]*fastschema.Schema
}

// Load reads the AsyncAPI document at path (bounded by cfg.Load) and returns
// a server for it, as [New] does.
func Load(path string, cfg Config) (*Server, error) {
	doc, err := asyncapi.Load(context.Background(), path, cfg.Load)
	if err != nil {
		return nil, fmt.Errorf("sockspec: load %s: %w", path, err)
	}
	return New(doc, cfg)
}

// New returns a server for doc, which must have loaded without error. It fails
// when doc has error findings, when cfg.Server names no server of the
// document, or when the Socket.IO or docs configuration is invalid.
func New(doc *asyncapi.Document, cfg Config) (*Server, error) {
	if doc == nil {
		return nil, errors.New("sockspec: nil document")
	}
	for _, f := range doc.Findings {
		if f.Severity == asyncapi.SeverityError {
			return nil, fmt.Errorf("sockspec: the document has errors and cannot be served: %s", f)
		}
	}
	s := &Server{doc: doc, cfg: cfg, log: cfg.Logger, namespaces: map[string]*Namespace{}, fast: map[*asyncapi.Schema]*fastschema.Schema{}, named: map[string]any{}, secFuncs: map[string]SecurityFunc{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.Server != "" {
		for _, sv := range doc.Servers {
			if sv.Name == cfg.Server {
				s.server = sv
			}
		}
		if s.server == nil {
			names := make([]string, len(doc.Servers))
			for i, sv := range doc.Servers {
				names[i] = sv.Name
			}
			return nil, fmt.Errorf("sockspec: no server %q in the document (servers: %s)", cfg.Server, strings.Join(names, ", "))
		}
	} else if len(doc.Servers) > 0 {
		s.server = doc.Servers[0]
	}
	s.sioPath = "/socket.io/"
	if s.server != nil && s.server.Path != "" {
		s.sioPath = s.server.Path
	}
	if cfg.Path != "" {
		s.sioPath = cfg.Path
	}
	if !strings.HasPrefix(s.sioPath, "/") {
		s.sioPath = "/" + s.sioPath
	}
	if !strings.HasSuffix(s.sioPath, "/") {
		s.sioPath += "/"
	}
	if doc.File != "" {
		if abs, err := filepath.Abs(doc.File); err == nil {
			s.base = filepath.Dir(abs)
		}
	}
	for k, v := range cfg.Security {
		s.secFuncs[k] = v
	}
	sc := cfg.SocketIO
	sc.Engine.Path = s.sioPath
	if sc.Logger == nil {
		sc.Logger = s.log
	}
	userOnEmit := sc.OnEmit
	sc.OnEmit = func(ns *socketio.Namespace, event string, args []any) ([]any, error) {
		send, err := s.onEmit(ns, event, args)
		if err != nil || userOnEmit == nil {
			return send, err
		}
		return userOnEmit(ns, event, send)
	}
	userOnAck := sc.OnAck
	sc.OnAck = func(ns *socketio.Namespace, event string, args socketio.Args) error {
		if err := s.onAck(ns, event, args); err != nil || userOnAck == nil {
			return err
		}
		return userOnAck(ns, event, args)
	}
	sio, err := socketio.NewServer(sc)
	if err != nil {
		return nil, fmt.Errorf("sockspec: %w", err)
	}
	s.sio = sio
	if !cfg.DisableDocs {
		raw, err := doc.Bundle() // every file of the document, for the page and asyncapi.json
		if err != nil {
			return nil, fmt.Errorf("sockspec: docs: %w (or set DisableDocs)", err)
		}
		h, err := docs.NewHandler(raw, cfg.Docs)
		if err != nil {
			return nil, fmt.Errorf("sockspec: docs: %w", err)
		}
		s.docsPath = docs.MountPath(s.sioPath)
		s.docs = http.StripPrefix(s.docsPath, h)
	}
	for _, ns := range doc.Namespaces {
		s.Namespace(ns.Name)
	}
	return s, nil
}

// Document returns the server's AsyncAPI document.
func (s *Server) Document() *asyncapi.Document { return s.doc }

// SocketIO returns the underlying Socket.IO server. Emits made on it (or on
// its namespaces and sockets) directly, and the acks clients return to them,
// are validated too: sockspec installs socketio's OnEmit and OnAck hooks.
func (s *Server) SocketIO() *socketio.Server { return s.sio }

// Path returns the Socket.IO request path, such as "/socket.io/".
func (s *Server) Path() string { return s.sioPath }

// Namespace returns the namespace called name ("/" when empty; a leading "/"
// is added), to register its handlers and hooks. A namespace the document
// does not have can be named, but Start then reports its handlers.
func (s *Server) Namespace(name string) *Namespace {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.namespaces[name]; n != nil {
		return n
	}
	n := &Namespace{srv: s, name: name, spec: s.doc.Namespace(name), handlers: map[string]eventFunc{}}
	if n.spec != nil {
		n.sio = s.sio.Of(name)
	}
	s.namespaces[name] = n
	return n
}

// HandleNamed registers h under a name the document uses: an event's
// x-handler, a namespace's x-handlers connect, disconnect or error, or a
// security scheme's x-…Func extension (such as x-bearerInfoFunc). h is one of:
//
//   - an event handler: a [socketio.Handler] (or a func of that signature)
//     or a [Handler] of any payload and ack types;
//   - a connect hook func(context.Context, *socketio.Socket);
//   - a disconnect hook func(context.Context, *socketio.Socket, socketio.DisconnectReason);
//   - an error hook func(context.Context, *socketio.Socket, error);
//   - a [SecurityFunc] (or a func of that signature).
//
// Start binds the names and reports every name the document does not use. It
// panics when h has none of these types, the name is already registered or
// the server has started.
func (s *Server) HandleNamed(name string, h any) {
	switch h.(type) {
	case socketio.Handler, func(context.Context, *socketio.Socket, socketio.Args) ([]any, error), typedHandler,
		func(context.Context, *socketio.Socket), func(context.Context, *socketio.Socket, socketio.DisconnectReason),
		func(context.Context, *socketio.Socket, error), SecurityFunc, func(context.Context, Credentials) (any, error):
	default:
		panic(fmt.Sprintf("sockspec: HandleNamed(%q): unsupported handler type %T", name, h))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		panic(fmt.Sprintf("sockspec: HandleNamed(%q) after Start", name))
	}
	if _, dup := s.named[name]; dup {
		panic(fmt.Sprintf("sockspec: HandleNamed(%q) called twice", name))
	}
	s.named[name] = h
}

// Start checks the registered handlers against the document and starts
// serving. With Strictness Strict it fails, listing every problem at once
// (errors.Join): each event the server must receive that has no handler,
// each handler whose namespace or event the document does not have, each
// HandleNamed name the document does not use, and each security scheme
// without a function or of a type sockspec cannot check. Later calls return
// the same result. ServeHTTP calls Start on the first request.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return s.startErr
	}
	s.started = true
	var problems, fatal []error
	report := func(err error) { problems = append(problems, err) }
	// a schema that does not compile would leave input unchecked: always fatal
	fatalf := func(err error) { fatal = append(fatal, err) }
	used := map[string]bool{}

	// security functions registered by name
	for _, sch := range s.doc.SecuritySchemes {
		for k, v := range sch.Extensions {
			name, ok := v.(string)
			if !ok || !strings.HasSuffix(k, "Func") {
				continue
			}
			if h, ok := s.named[name]; ok {
				used[name] = true
				fn := asSecurityFunc(h)
				if fn == nil {
					report(fmt.Errorf("security scheme %q: %s %q is registered as %T, not a SecurityFunc", sch.Name, k, name, h))
					continue
				}
				if _, dup := s.secFuncs[sch.Name]; !dup {
					s.secFuncs[sch.Name] = fn
				}
			}
		}
	}
	for name := range s.cfg.Security {
		if s.doc.SecurityScheme(name) == nil {
			report(fmt.Errorf("Config.Security has a function for %q, which is not a security scheme of the document", name))
		}
	}

	names := slices.Sorted(func(yield func(string) bool) {
		for k := range s.namespaces {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		n := s.namespaces[name]
		if n.spec == nil {
			if len(n.handlers) > 0 || n.onConnect != nil || n.onDisconnect != nil || n.onError != nil || len(n.mws) > 0 {
				report(fmt.Errorf("namespace %q has handlers but is not in the document", name))
			}
			continue
		}
		n.build(used, report, fatalf)
	}
	for name := range s.named {
		if !used[name] {
			report(fmt.Errorf("handler name %q (HandleNamed) is not used by the document", name))
		}
	}
	if _, ok := s.namespaces["/"]; !ok || s.namespaces["/"].spec == nil {
		// socketio always serves "/": refuse it when the document has no "/".
		s.sio.Of("/").Use(func(context.Context, *socketio.Handshake) error {
			return &socketio.ConnectError{Message: "Invalid namespace"}
		})
	}
	if len(fatal) > 0 {
		s.startErr = fmt.Errorf("sockspec: the document cannot be served:\n%w", errors.Join(append(fatal, problems...)...))
		return s.startErr
	}
	if len(problems) == 0 {
		s.ready.Store(true)
		return nil
	}
	err := errors.Join(problems...)
	switch s.cfg.Strictness {
	case Strict:
		s.startErr = fmt.Errorf("sockspec: the handlers do not match the document:\n%w", err)
		return s.startErr
	case WarnOnly:
		for _, p := range problems {
			s.log.LogAttrs(context.Background(), slog.LevelWarn, "handlers do not match the document", slog.String("err", p.Error()))
		}
	}
	s.ready.Store(true)
	return nil
}

func asSecurityFunc(h any) SecurityFunc {
	switch f := h.(type) {
	case SecurityFunc:
		return f
	case func(context.Context, Credentials) (any, error):
		return f
	}
	return nil
}

// ServeHTTP serves the Socket.IO path and the docs; other paths get 404.
// The first call runs Start; if Start failed, every request gets 500 and the
// error is logged once.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		if err := s.startOnRequest(); err != nil {
			http.Error(w, "sockspec: server not started", http.StatusInternalServerError)
			return
		}
	}
	p := r.URL.Path
	if strings.HasPrefix(p, s.sioPath) || p == s.sioPath[:len(s.sioPath)-1] {
		if s.needMethod && !strings.Contains(r.URL.RawQuery, "sid=") {
			r = r.WithContext(context.WithValue(r.Context(), methodKey{}, r.Method))
		}
		s.sio.ServeHTTP(w, r)
		return
	}
	if s.docs != nil && (p == s.docsPath || strings.HasPrefix(p, s.docsPath+"/")) {
		s.docs.ServeHTTP(w, r)
		return
	}
	http.NotFound(w, r)
}

func (s *Server) startOnRequest() error {
	s.mu.Lock()
	started, err := s.started, s.startErr
	s.mu.Unlock()
	if started {
		return err
	}
	if err := s.Start(); err != nil {
		s.log.LogAttrs(context.Background(), slog.LevelError, "sockspec start failed", slog.String("err", err.Error()))
		return err
	}
	return nil
}

// Shutdown stops the Socket.IO server gracefully (see
// socketio.Server.Shutdown). Later calls return [ErrServerClosed].
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.sio.Shutdown(ctx); err != nil {
		if errors.Is(err, socketio.ErrServerClosed) {
			return ErrServerClosed
		}
		return err
	}
	return nil
}

// Close closes every connection at once. Later calls return [ErrServerClosed].
func (s *Server) Close() error {
	if err := s.sio.Close(); err != nil {
		if errors.Is(err, socketio.ErrServerClosed) {
			return ErrServerClosed
		}
		return err
	}
	return nil
}

func targetNamespace(t socketio.Target) *socketio.Namespace {
	switch x := t.(type) {
	case *socketio.Socket:
		return x.Namespace()
	case *socketio.Namespace:
		return x
	case socketio.BroadcastOperator:
		return x.Namespace()
	}
	return nil
}

// Emit validates an event against the namespace's server→client events and
// emits it to to: a *socketio.Socket, a *socketio.Namespace or a room
// selection (socketio.BroadcastOperator, such as s.Broadcast() or
// ns.SocketIO().To("room")). The arguments are encoded and validated once, whatever
// the number of recipients. When validation fails it returns a
// *ValidationError and sends nothing; an event the namespace does not
// document is such an error too (Kind "unknown_event").
func (s *Server) Emit(ctx context.Context, to socketio.Target, event string, args ...any) error {
	n, err := s.nsOf(to)
	if err != nil {
		return err
	}
	return n.emit(ctx, to, event, args)
}

// onEmit is socketio's OnEmit hook, the one place where outgoing events are
// validated: sockspec's own emit paths and emits made directly on socketio
// values (s.Emit, s.Broadcast().Emit, ns.SocketIO().Emit, ...) all pass
// through it. It returns the arguments already encoded (json.RawMessage, sent
// verbatim), so each emit is encoded and validated once, whatever the number
// of recipients.
func (s *Server) onEmit(sns *socketio.Namespace, event string, args []any) ([]any, error) {
	if s.cfg.Validation.SkipOutgoing {
		return args, nil
	}
	n, err := s.nsOf(sns)
	if err != nil {
		return nil, err
	}
	return n.prepareEmit(event, args)
}

// EmitWithAck emits a validated event to the socket and waits for its ack,
// which is validated against the event's documented ack: when it does not
// match, EmitWithAck returns the ack and a *ValidationError (Direction
// ClientToServer), wrapped. A ctx deadline is the ack timeout. It is
// to.EmitWithAck, after checking that to belongs to this server: the hooks
// sockspec installs (onEmit, onAck) validate both directions, as they do for
// a direct s.EmitWithAck.
func (s *Server) EmitWithAck(ctx context.Context, to *socketio.Socket, event string, args ...any) (socketio.Args, error) {
	if _, err := s.nsOf(to); err != nil {
		return socketio.Args{}, err
	}
	return to.EmitWithAck(ctx, event, args...)
}

// BroadcastWithAck emits a validated event to every socket to selects (such
// as ns.SocketIO().To("room") or s.Broadcast()) and waits for their acks, as
// socketio.BroadcastOperator.EmitWithAck does: it returns when every
// recipient answered or ctx is done, with the answers received. Each answer
// is validated against the event's documented ack; the answers that do not
// match are left out of the result and reported, one *ValidationError each
// (Direction ClientToServer, wrapped), in the returned error, joined with the
// broadcast's own error (a deadline, a recipient that disconnected). It is
// to.EmitWithAck after checking that to belongs to this server (see
// [Server.EmitWithAck]).
func (s *Server) BroadcastWithAck(ctx context.Context, to socketio.BroadcastOperator, event string, args ...any) ([]socketio.Args, error) {
	if _, err := s.nsOf(to); err != nil {
		return nil, err
	}
	return to.EmitWithAck(ctx, event, args...)
}

// onAck is socketio's OnAck hook, the one place where the acks clients
// return are validated: those of sockspec's EmitWithAck, BroadcastWithAck
// and Event methods, and those of emits made directly on socketio values
// (s.EmitWithAck, ns.SocketIO().To("room").EmitWithAck). It runs on the
// goroutine waiting for the ack.
func (s *Server) onAck(sns *socketio.Namespace, event string, ack socketio.Args) error {
	// ready orders this read after Start built n.out; before Start no emit
	// (hence no ack) passes onEmit unless outgoing checks are off.
	if s.cfg.Validation.SkipAcks || !s.ready.Load() {
		return nil
	}
	n, err := s.nsOf(sns)
	if err != nil {
		// An undocumented namespace: its emits are refused by onEmit unless
		// SkipOutgoing, and there is no ack schema to check against.
		return nil
	}
	if ve := s.checkAck(n, event, ack); ve != nil {
		return ve
	}
	return nil
}

// checkAck validates a client's ack of an event the server emitted against
// the event's documented ack.
func (s *Server) checkAck(n *Namespace, event string, ack socketio.Args) *ValidationError {
	o := n.out[event]
	if o == nil {
		return nil
	}
	if ack.Binary() {
		trees, perr := parseArgs(ack, nil)
		if perr != nil {
			return &ValidationError{Namespace: n.name, Event: event, Direction: asyncapi.ClientToServer, Kind: "ack", Message: perr.Error()}
		}
		return o.ack.checkValues(trees)
	}
	raws := make([]json.RawMessage, ack.Len())
	for i := range raws {
		raws[i] = ack.Raw(i)
	}
	return o.ack.checkRaw(raws)
}

func (s *Server) nsOf(to socketio.Target) (*Namespace, error) {
	sns := targetNamespace(to)
	if sns == nil {
		return nil, errors.New("sockspec: cannot tell the namespace of this emit target; use Namespace.EmitTo")
	}
	if sns.Server() != s.sio {
		return nil, errors.New("sockspec: emit target belongs to another server")
	}
	s.mu.Lock()
	n := s.namespaces[sns.Name()]
	s.mu.Unlock()
	if n == nil || n.spec == nil {
		return nil, &ValidationError{Namespace: sns.Name(), Direction: asyncapi.ServerToClient, Kind: "unknown_event", Message: "namespace " + sns.Name() + " is not in the document"}
	}
	return n, nil
}

// debug logs a client's mistake at Debug.
func (s *Server) debug(ctx context.Context, msg, nsp, event string, err error) {
	if s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("nsp", nsp), slog.String("event", event), slog.String("err", err.Error()))
	}
}

type methodKey struct{}
