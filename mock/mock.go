package mock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/docs"
	"github.com/sockspec/sockspec/socketio"
)

// Config configures a mock [Server]. The zero value works: the document's
// first server, an event every second in each namespace, seed 0, every check
// made, any well-formed credential accepted, docs served.
type Config struct {
	// Server is the name of the document's server whose path and security
	// the mock uses; empty means the first server of the document.
	Server string
	// Path overrides the Socket.IO request path; empty means the selected
	// server's path, or "/socket.io/".
	Path string
	// Interval is the time between two periodic emits in a namespace (each
	// namespace emits its server→client events in turn, one per interval).
	// Zero means 1s; a negative value turns periodic emits off.
	Interval time.Duration
	// AckTimeout bounds the wait for a client's ack to a periodic event
	// whose document defines an ack. Zero means 5s.
	AckTimeout time.Duration
	// Seed seeds every fake value: the same seed, document and client
	// behaviour give the same values. Zero is a seed like any other.
	Seed uint64
	// MaxDepth bounds the nesting of generated values (recursive schemas);
	// zero means 5.
	MaxDepth int
	// Validation switches the framework's checks off one by one, as for a
	// real server (see [sockspec.Validation]); the zero value checks
	// everything. Generated values are validated whatever it says.
	Validation sockspec.Validation
	// Security maps security scheme names to the functions that check their
	// credentials. Schemes without one accept any well-formed credential
	// (see the package documentation).
	Security map[string]sockspec.SecurityFunc
	// SocketIO configures the Socket.IO server (its Engine.Path is set from
	// Path or the document).
	SocketIO socketio.Config
	// Docs configures the documentation page served at {base}/docs.
	Docs docs.Config
	// DisableDocs turns the documentation page off.
	DisableDocs bool
	// OnRecord, when set, is called for every connection, event and ack the
	// mock sees or sends (the CLI's --verbose-events). It is called
	// synchronously from connection and emitter goroutines, concurrently,
	// and must return quickly.
	OnRecord func(Record)
	// Logger receives the mock's records: Info for connections, Warn for
	// clients that break the contract (invalid events, invalid or missing
	// acks), Error for generation failures; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a mock Socket.IO server built from an AsyncAPI document alone,
// on the sockspec framework. It is an http.Handler serving the Socket.IO path
// and the docs ({base}/docs). Its methods are safe for concurrent use.
// Shutdown or Close stops its goroutines.
type Server struct {
	srv      *sockspec.Server
	cfg      Config
	log      *slog.Logger
	interval time.Duration
	ackWait  time.Duration
	docsPath string
	nss      []*nsState

	ctx    context.Context // cancelled by stop: ends emitters and ack waits
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// readyRoom holds the sockets whose CONNECT has been answered; periodic
// emits go to it so no client gets an event before its CONNECT.
const readyRoom socketio.Room = "sockspec:mock:ready"

// New returns a mock server for doc, which must have loaded without error.
// It prepares a fake data generator for every schema the mock will have
// to generate (server→client payloads and the acks of client→server
// events) and fails, listing every one at once as a [*SchemaError] with its
// file:line:col, when one cannot be satisfied. It also fails when the
// framework does (an unknown cfg.Server, a security scheme sockspec cannot
// check...). On success the periodic emitters are running: call
// [Server.Shutdown] or [Server.Close] to stop them.
func New(doc *asyncapi.Document, cfg Config) (*Server, error) {
	if doc == nil {
		return nil, errors.New("mock: nil document")
	}
	m := &Server{cfg: cfg, log: cfg.Logger, interval: cfg.Interval, ackWait: cfg.AckTimeout}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.interval == 0 {
		m.interval = time.Second
	}
	if m.ackWait <= 0 {
		m.ackWait = 5 * time.Second
	}
	g := newGenerators(doc, cfg.Seed, cfg.MaxDepth)
	var problems []error
	for _, ns := range doc.Namespaces {
		st := &nsState{m: m, spec: ns, sockets: map[*socketio.Socket]struct{}{}}
		for _, ev := range ns.Events {
			switch ev.Direction {
			case asyncapi.ServerToClient:
				o := &outEvent{ev: ev}
				if ev.Payload != nil {
					gs, errs := g.stream(ns.Name, ev, "payload", ev.Payload, ev.Arity)
					problems = append(problems, errs...)
					o.payload = gs
				}
				st.out = append(st.out, o)
			case asyncapi.ClientToServer:
				in := &inEvent{ev: ev}
				if ev.Ack != nil && ev.Ack.Payload != nil {
					gs, errs := g.stream(ns.Name, ev, "ack", ev.Ack.Payload, ev.Ack.Arity)
					problems = append(problems, errs...)
					in.ack = gs
				}
				st.in = append(st.in, in)
			}
		}
		m.nss = append(m.nss, st)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("mock: %d schema(s) of %s cannot be generated:\n%w", len(problems), doc.File, errors.Join(problems...))
	}

	security := map[string]sockspec.SecurityFunc{}
	for _, sch := range doc.SecuritySchemes {
		security[sch.Name] = acceptWellFormed
	}
	for name, fn := range cfg.Security {
		security[name] = fn
	}
	srv, err := sockspec.New(doc, sockspec.Config{
		Server:      cfg.Server,
		Path:        cfg.Path,
		Validation:  cfg.Validation,
		Strictness:  sockspec.Strict,
		Security:    security,
		SocketIO:    cfg.SocketIO,
		Docs:        cfg.Docs,
		DisableDocs: cfg.DisableDocs,
		Logger:      m.log,
	})
	if err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	m.srv = srv
	if !cfg.DisableDocs {
		m.docsPath = docs.MountPath(srv.Path())
	}
	named := map[string]bool{}
	for _, st := range m.nss {
		st.register(srv.Namespace(st.spec.Name), named)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("mock: %w", err)
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if m.interval > 0 {
		for _, st := range m.nss {
			if len(st.out) > 0 {
				m.wg.Add(1)
				go st.emitLoop()
			}
		}
	}
	return m, nil
}

// ServeHTTP serves the Socket.IO path and the docs; other paths get 404.
func (m *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.srv.ServeHTTP(w, r) }

// Path returns the Socket.IO request path, such as "/socket.io/".
func (m *Server) Path() string { return m.srv.Path() }

// DocsPath returns where the docs page is served, such as "/docs", or ""
// when Config.DisableDocs is set.
func (m *Server) DocsPath() string { return m.docsPath }

// stop ends the emitters and waits for them and for pending ack waits.
func (m *Server) stop() {
	m.once.Do(func() {
		m.cancel()
		m.wg.Wait()
	})
}

// Shutdown stops the periodic emits, then shuts the Socket.IO server down
// gracefully (see [sockspec.Server.Shutdown]). Later calls return
// [sockspec.ErrServerClosed].
func (m *Server) Shutdown(ctx context.Context) error {
	m.stop()
	return m.srv.Shutdown(ctx)
}

// Close stops the periodic emits and closes every connection at once.
// Later calls return [sockspec.ErrServerClosed].
func (m *Server) Close() error {
	m.stop()
	return m.srv.Close()
}
