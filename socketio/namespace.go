package socketio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Handler handles one event. args are the event's arguments (without its
// name). When the client asked for an acknowledgement, the returned ack
// values are sent back as the ACK's arguments (none for a nil slice); a
// non-nil error is sent as an error ack instead (see [ErrorAcker]). When no
// ack was requested, the return values are ignored (an error is logged at
// Debug). Returning a [DisconnectReason] disconnects the socket.
//
// ctx is derived from the socket's context: it is cancelled when the socket
// disconnects. Handlers of one socket run one at a time, in arrival order.
type Handler func(ctx context.Context, s *Socket, args Args) (ack []any, err error)

// AnyHandler handles events that have no [Handler], with the event's name.
type AnyHandler func(ctx context.Context, s *Socket, event string, args Args) (ack []any, err error)

// Middleware runs before a socket joins a namespace. Returning an error
// rejects the connection with a CONNECT_ERROR packet; use [*ConnectError]
// to choose the message and data the client sees. ctx carries the values
// of the Engine.IO handshake request's context. A middleware may attach
// values to the connection with [Handshake.Set].
type Middleware func(ctx context.Context, h *Handshake) error

// Namespace is a Socket.IO namespace: a set of handlers and the sockets
// connected to it. Register handlers and middlewares before clients
// connect; registration is safe for concurrent use but applies only to
// later events. A Namespace is created by [Server.Of] or, for dynamic
// namespaces, by [Server.OfMatch].
type Namespace struct {
	srv     *Server
	name    string
	adapter Adapter

	// broadcastAcks counts broadcasts with ack; see nextBroadcastAck.
	broadcastAcks atomic.Uint64

	reg atomic.Pointer[registry]
	// regMu serialises copy-on-write updates of reg.
	regMu sync.Mutex

	// mu guards sockets. A socket is in sockets exactly from when its
	// CONNECT packet is queued (both happen under mu) until it closes;
	// broadcasts deliver under mu's read lock, so none reaches a client
	// before its CONNECT, and none that starts after CONNECT misses it.
	//
	// Lock order of the package, outermost first; a goroutine holding one
	// may take only those below it:
	//
	//	client.mu  (onConnectTimeout reads s.Connected under it)
	//	Socket.mu  (connect holds it across AddAll and admit; Join across AddAll)
	//	MemoryAdapter.mu  (broadcasts and room lookups hold the read lock)
	//	Namespace.mu  (taken inside MemoryAdapter.mu by forEachLocked)
	//	recoveryBuffer.mu, Handshake.mu, ackCollector.mu, the transport's
	//	own locks (leaves)
	//
	// Server.dynMu, held while a dynamic namespace's matcher and setup run,
	// comes before all of them; Server.mu and Namespace.regMu are leaves.
	// No read lock is taken twice by one goroutine (a waiting writer would
	// block the second one). Sends to a transport happen under Socket.mu and
	// Namespace.mu (admit) or under the adapter's and namespace's read locks
	// (broadcasts), so a transport must never call back into this package
	// from inside a send (see onEngineConn).
	mu      sync.RWMutex
	sockets map[SocketID]*Socket
}

// registry is the immutable set of a namespace's handlers (copy on write,
// so the event path reads it without locking).
type registry struct {
	serverSide func(ctx context.Context, event string, args Args)
	handlers   map[string]Handler
	any        AnyHandler
	onConn     []func(*Socket)
	mws        []Middleware
}

func newNamespace(srv *Server, name string) *Namespace {
	ns := &Namespace{srv: srv, name: name, sockets: make(map[SocketID]*Socket)}
	ns.reg.Store(&registry{})
	if srv.cfg.Adapter != nil {
		ns.adapter = srv.cfg.Adapter(ns)
	}
	if ns.adapter == nil {
		ns.adapter = NewMemoryAdapter(ns)
	}
	return ns
}

// Name returns the namespace's name, such as "/" or "/admin".
func (ns *Namespace) Name() string { return ns.name }

// Server returns the server the namespace belongs to.
func (ns *Namespace) Server() *Server { return ns.srv }

// Adapter returns the namespace's adapter.
func (ns *Namespace) Adapter() Adapter { return ns.adapter }

func (ns *Namespace) update(fn func(r *registry)) {
	ns.regMu.Lock()
	defer ns.regMu.Unlock()
	old := ns.reg.Load()
	r := &registry{any: old.any, onConn: old.onConn, mws: old.mws, serverSide: old.serverSide, handlers: make(map[string]Handler, len(old.handlers)+1)}
	for k, v := range old.handlers {
		r.handlers[k] = v
	}
	fn(r)
	ns.reg.Store(r)
}

// Use adds a middleware run for every connection to this namespace, after
// the server's middlewares, in registration order.
func (ns *Namespace) Use(mw Middleware) {
	if mw == nil {
		panic("socketio: nil middleware")
	}
	ns.update(func(r *registry) { r.mws = append(r.mws[:len(r.mws):len(r.mws)], mw) })
}

// OnConnection adds a function called for each socket that joins the
// namespace, on the socket's worker, before any of its events is handled.
// It typically registers per-socket handlers with [Socket.On].
func (ns *Namespace) OnConnection(fn func(s *Socket)) {
	if fn == nil {
		panic("socketio: nil connection handler")
	}
	ns.update(func(r *registry) { r.onConn = append(r.onConn[:len(r.onConn):len(r.onConn)], fn) })
}

// On sets the handler of event for every socket of the namespace. A
// handler set with [Socket.On] takes precedence. It panics if event is
// reserved or already has a handler.
func (ns *Namespace) On(event string, h Handler) {
	if h == nil {
		panic("socketio: nil handler for event " + event)
	}
	if isReserved(event) {
		panic("socketio: reserved event name " + event)
	}
	ns.update(func(r *registry) {
		if _, dup := r.handlers[event]; dup {
			panic(fmt.Sprintf("socketio: duplicate handler for event %q in namespace %q", event, ns.name))
		}
		r.handlers[event] = h
	})
}

// OnAny sets the handler of events that have no other handler.
func (ns *Namespace) OnAny(h AnyHandler) {
	ns.update(func(r *registry) { r.any = h })
}

// To selects the sockets in rooms (see [BroadcastOperator]).
func (ns *Namespace) To(rooms ...Room) BroadcastOperator {
	return BroadcastOperator{ns: ns}.To(rooms...)
}

// In is an alias of To.
func (ns *Namespace) In(rooms ...Room) BroadcastOperator { return ns.To(rooms...) }

// Except selects every socket except those in rooms.
func (ns *Namespace) Except(rooms ...Room) BroadcastOperator {
	return BroadcastOperator{ns: ns}.Except(rooms...)
}

// Volatile selects every socket, dropping the event for those that cannot
// take it now.
func (ns *Namespace) Volatile() BroadcastOperator { return BroadcastOperator{ns: ns}.Volatile() }

// Local selects every socket of this server only.
func (ns *Namespace) Local() BroadcastOperator { return BroadcastOperator{ns: ns}.Local() }

// Emit sends an event to every socket of the namespace. See
// [BroadcastOperator.Emit].
func (ns *Namespace) Emit(ctx context.Context, event string, args ...any) error {
	return BroadcastOperator{ns: ns}.Emit(ctx, event, args...)
}

// EmitWithAck sends an event to every socket of the namespace and waits
// for their acks. See [BroadcastOperator.EmitWithAck].
func (ns *Namespace) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	return BroadcastOperator{ns: ns}.EmitWithAck(ctx, event, args...)
}

func (ns *Namespace) target() {}

// Sockets returns the sockets connected to the namespace on this server.
func (ns *Namespace) Sockets() []*Socket {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	out := make([]*Socket, 0, len(ns.sockets))
	for _, s := range ns.sockets {
		out = append(out, s)
	}
	return out
}

// Socket returns the connected socket with this id, or nil.
func (ns *Namespace) Socket(id SocketID) *Socket {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	return ns.sockets[id]
}

// Len returns the number of sockets connected to the namespace on this server.
func (ns *Namespace) Len() int {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	return len(ns.sockets)
}

// FetchSockets returns the sockets selected by opts through the adapter's
// [SocketFetcher] (across the cluster for a cluster adapter).
func (ns *Namespace) FetchSockets(ctx context.Context, opts BroadcastOptions) ([]SocketInfo, error) {
	f, ok := ns.adapter.(SocketFetcher)
	if !ok {
		return nil, errors.New("socketio: adapter cannot fetch sockets")
	}
	return f.FetchSockets(ctx, opts)
}

// ServerSideEmit sends an event to the other servers of the cluster through
// the adapter's [ServerSideEmitter]; it fails with the in-memory adapter.
func (ns *Namespace) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	e, ok := ns.adapter.(ServerSideEmitter)
	if !ok {
		return errors.New("socketio: adapter does not support server-side emit")
	}
	return e.ServerSideEmit(ctx, event, args)
}

// OnServerSideEmit sets the handler of events that other servers of the
// cluster send with ServerSideEmit. It runs on the adapter's goroutine.
func (ns *Namespace) OnServerSideEmit(h func(ctx context.Context, event string, args Args)) {
	ns.update(func(r *registry) { r.serverSide = h })
}

// DeliverServerSideEmit is called by cluster adapters when another
// server's ServerSideEmit arrives; it runs the OnServerSideEmit handler (a
// panic is recovered and logged) and reports whether there was one.
func (ns *Namespace) DeliverServerSideEmit(ctx context.Context, event string, args Args) (handled bool) {
	h := ns.reg.Load().serverSide
	if h == nil {
		return false
	}
	defer func() {
		if r := recover(); r != nil {
			ns.srv.logger.LogAttrs(ctx, slog.LevelError, "panic in server-side emit handler",
				slog.String(attrNsp, ns.name), slog.String(attrEvent, event), slog.Any(attrErr, r))
		}
	}()
	h(ctx, event, args)
	return true
}

// admit makes s visible (in the namespace, hence in its own room) and queues
// its CONNECT packet and the packets a recovered session missed, all under
// ns.mu: a broadcast delivers under ns.mu's read lock, so it either ran
// entirely before (and did not see s) or runs entirely after (and its packet
// follows CONNECT and the replayed ones). The caller holds s.mu.
//
// The transport's send must not call back into this package synchronously
// (see onEngineConn for the engine's queue-full close).
func (ns *Namespace) admit(s *Socket, connect []outMsg, missed []*EncodedPacket) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.sockets[s.id] = s
	_ = s.cl.tr.send(connect)
	for _, pkt := range missed {
		_ = s.cl.tr.send(pkt.wire())
	}
}

func (ns *Namespace) remove(s *Socket) {
	ns.mu.Lock()
	if ns.sockets[s.id] == s {
		delete(ns.sockets, s.id)
	}
	ns.mu.Unlock()
}
