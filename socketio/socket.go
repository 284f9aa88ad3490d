package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/sockspec/sockspec/internal/sioproto"
)

type socketState uint8

const (
	stateConnecting socketState = iota
	stateConnected
	stateClosed
)

type itemKind uint8

const (
	itemEvent itemKind = iota
	itemConnect
	itemDisconnect
)

// inbound is one unit of work for a socket's worker.
type inbound struct {
	kind   itemKind
	hasID  bool
	id     uint64
	data   json.RawMessage
	atts   [][]byte
	reason DisconnectReason
}

// Socket is one client's connection to one namespace. Its methods are safe
// for concurrent use. Handlers of a socket run one at a time on the
// socket's worker, which runs on a pooled goroutine only while work is
// queued.
type Socket struct {
	id        SocketID
	pid       string
	ns        *Namespace
	cl        *client
	hs        *Handshake
	recovered bool

	// ctx is the socket's lifetime context: derived from the Engine.IO
	// session's context and cancelled when the socket disconnects.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	state    socketState
	running  bool      // a drain task is running or reserved
	nextAck  uint64    // even: odd ids belong to broadcasts (see Namespace.nextBroadcastAck)
	queue    []inbound // pending work is queue[qhead:]
	qhead    int
	drainFn  func()             // s.drain, made once
	handlers map[string]Handler // lazily allocated
	onDisc   []func(DisconnectReason)
	acks     map[uint64]ackEntry // lazily allocated
	data     map[string]any      // lazily allocated
}

// ID returns the socket's id (not the Engine.IO session id).
func (s *Socket) ID() SocketID { return s.id }

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() *Namespace { return s.ns }

// Handshake returns the connection's handshake details.
func (s *Socket) Handshake() *Handshake { return s.hs }

// Context returns the socket's lifetime context, cancelled when it
// disconnects. It carries the values of the handshake request's context.
func (s *Socket) Context() context.Context { return s.ctx }

// Recovered reports whether the socket resumed a previous session through
// connection state recovery (same id, rooms and data; missed events replayed).
func (s *Socket) Recovered() bool { return s.recovered }

// Connected reports whether the socket is still connected to its namespace.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateConnected
}

// Transport returns the name of the current Engine.IO transport
// ("polling" or "websocket").
func (s *Socket) Transport() string { return s.cl.tr.transport() }

// Value returns a value attached by a middleware with [Handshake.Set].
func (s *Socket) Value(key any) any { return s.hs.Value(key) }

// Set stores a value in the socket's data (Node's socket.data), which is
// kept by connection state recovery.
func (s *Socket) Set(key string, v any) {
	s.mu.Lock()
	if s.data == nil {
		s.data = make(map[string]any, 1)
	}
	s.data[key] = v
	s.mu.Unlock()
}

// Get returns a value stored with Set, or nil.
func (s *Socket) Get(key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[key]
}

func (s *Socket) dataSnapshot() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil {
		return nil
	}
	return maps.Clone(s.data)
}

// On sets this socket's handler for event, taking precedence over the
// namespace's. It panics if event is reserved.
func (s *Socket) On(event string, h Handler) {
	if h == nil {
		panic("socketio: nil handler for event " + event)
	}
	if isReserved(event) {
		panic("socketio: reserved event name " + event)
	}
	s.mu.Lock()
	if s.handlers == nil {
		s.handlers = make(map[string]Handler, 2)
	}
	s.handlers[event] = h
	s.mu.Unlock()
}

// OnDisconnect adds a function called once when the socket disconnects,
// with the reason, on the socket's worker after the handler already
// running (queued events are dropped at disconnection). Functions added
// from a connection handler are called even when the socket disconnected
// before that handler ran; functions added after the disconnect callbacks
// ran are never called.
func (s *Socket) OnDisconnect(fn func(reason DisconnectReason)) {
	s.mu.Lock()
	s.onDisc = append(s.onDisc, fn)
	s.mu.Unlock()
}

func (s *Socket) target() {}

// Emit sends an event to this socket. It returns without waiting for
// delivery: the encoded packet is queued on the connection. It returns
// [ErrDisconnected] if the socket has disconnected, [ErrReservedEvent], an
// argument encoding error, or ctx's error if ctx is already done. With
// connection state recovery enabled the event goes through the adapter, gets
// an offset and is kept for replay.
func (s *Socket) Emit(ctx context.Context, event string, args ...any) error {
	return s.emit(ctx, event, args, false)
}

// VolatileSocket emits events that are dropped when the socket's transport
// cannot take them right now. Obtain one with [Socket.Volatile].
type VolatileSocket struct{ s *Socket }

// Emit sends a volatile event (see [Socket.Emit]).
func (v VolatileSocket) Emit(ctx context.Context, event string, args ...any) error {
	return v.s.emit(ctx, event, args, true)
}

// Volatile returns an emitter of volatile events for this socket.
func (s *Socket) Volatile() VolatileSocket { return VolatileSocket{s} }

func (s *Socket) emit(ctx context.Context, event string, args []any, volatile bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("emit %q: %w", event, err)
	}
	if !s.Connected() {
		return fmt.Errorf("emit %q: %w", event, ErrDisconnected)
	}
	args, err := s.ns.srv.checkEmit(s.ns, event, args)
	if err != nil {
		return err
	}
	if s.ns.srv.recovery != nil {
		pkt, err := newEncodedPacket(s.ns.name, event, args)
		if err != nil {
			return err
		}
		opts := BroadcastOptions{Rooms: []Room{Room(s.id)}, Flags: BroadcastFlags{Volatile: volatile}}
		if err := s.ns.adapter.Broadcast(ctx, pkt, opts); err != nil {
			return fmt.Errorf("emit %q: %w", event, err)
		}
		return nil
	}
	text, _, atts, err := encodeEvent(s.ns.name, 0, false, event, args)
	if err != nil {
		return err
	}
	if volatile && !s.cl.tr.writable() {
		return nil
	}
	_ = sendPacket(s.cl.tr, text, atts)
	return nil
}

// EmitWithAck sends an event that asks for an acknowledgement and waits for
// it. The wait ends with the client's ack arguments, with ctx's error when
// ctx is done first (errors.Is(err, context.DeadlineExceeded) for a
// timeout), or with [ErrDisconnected] when the socket disconnects. A late
// ack is ignored. Calling it from a handler of the same socket is fine: acks
// are settled by the connection's read loop, not by the worker. The ack
// goes through Config.OnAck, on this goroutine: when the hook refuses it,
// EmitWithAck returns the ack and the hook's error, wrapped.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	if err := ctx.Err(); err != nil {
		return Args{}, fmt.Errorf("emit %q: %w", event, err)
	}
	if isReserved(event) {
		return Args{}, fmt.Errorf("emit %q: %w", event, ErrReservedEvent)
	}
	args, err := s.ns.srv.checkEmit(s.ns, event, args)
	if err != nil {
		return Args{}, err
	}
	ch := make(chan Args, 1)
	s.mu.Lock()
	if s.state != stateConnected {
		s.mu.Unlock()
		return Args{}, fmt.Errorf("emit %q: %w", event, ErrDisconnected)
	}
	// The socket's own acks take the even ids, so they never collide with
	// a broadcast's odd id registered on the same socket, and the counter
	// stays under s.mu, which is held anyway.
	id := s.nextAck
	s.nextAck += 2
	if s.acks == nil {
		s.acks = make(map[uint64]ackEntry, 1)
	}
	s.acks[id] = ackEntry{ch: ch}
	s.mu.Unlock()
	text, _, atts, err := encodeEvent(s.ns.name, id, true, event, args)
	if err != nil {
		s.dropAck(id)
		return Args{}, err
	}
	if err := sendPacket(s.cl.tr, text, atts); err != nil {
		s.dropAck(id)
		return Args{}, fmt.Errorf("emit %q: %w: %w", event, ErrDisconnected, err)
	}
	select {
	case a, ok := <-ch:
		if !ok {
			return Args{}, fmt.Errorf("emit %q: %w", event, ErrDisconnected)
		}
		// The event name needs no room in ackEntry: this call still has it.
		if err := s.ns.srv.checkAck(s.ns, event, a); err != nil {
			return a, err
		}
		return a, nil
	case <-ctx.Done():
		s.dropAck(id)
		return Args{}, fmt.Errorf("emit %q: %w", event, ctx.Err())
	}
}

func (s *Socket) dropAck(id uint64) {
	s.mu.Lock()
	delete(s.acks, id)
	s.mu.Unlock()
}

// ackEntry is a pending ack: an EmitWithAck waiting on ch, or one socket's
// share of a broadcast with ack (b).
type ackEntry struct {
	ch chan Args
	b  *localAck
}

// addBroadcastAck registers a broadcast's ack id; it reports false when the
// socket has disconnected (it is then not a recipient).
func (s *Socket) addBroadcastAck(id uint64, b *localAck) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateConnected {
		return false
	}
	if s.acks == nil {
		s.acks = make(map[uint64]ackEntry, 1)
	}
	s.acks[id] = ackEntry{b: b}
	return true
}

// dropBroadcastAck removes b's id if it is still pending on this socket.
func (s *Socket) dropBroadcastAck(id uint64, b *localAck) {
	s.mu.Lock()
	if e, ok := s.acks[id]; ok && e.b == b {
		delete(s.acks, id)
	}
	s.mu.Unlock()
}

// settleAck delivers an ACK packet (read loop; no user code runs).
func (s *Socket) settleAck(p *sioproto.Packet) {
	s.mu.Lock()
	e, ok := s.acks[p.ID]
	if ok {
		delete(s.acks, p.ID)
	}
	s.mu.Unlock()
	if !ok {
		s.ns.srv.debug("ack for unknown id", s, slog.Uint64("id", p.ID))
		return
	}
	raw, err := sioproto.SplitArray(nil, p.Data)
	if err != nil { // cannot happen: the decoder validated the array
		s.ns.srv.debug("invalid ack payload", s, slog.Any(attrErr, err))
	}
	a := Args{raw: raw, atts: p.Attachments}
	if e.b != nil {
		e.b.answer(a)
		return
	}
	e.ch <- a
}

// sendWire queues already-encoded messages. It never takes s.mu (it runs
// under the adapter's and the namespace's read locks during broadcasts).
func (s *Socket) sendWire(msgs []outMsg, volatile bool) {
	if volatile && !s.cl.tr.writable() {
		return
	}
	_ = s.cl.tr.send(msgs)
}

// Join adds the socket to rooms. It is a no-op after disconnection.
func (s *Socket) Join(rooms ...Room) {
	// s.mu is held across AddAll so that a concurrent close, which
	// removes the socket from all rooms after marking it closed, cannot
	// run in between and leave a closed socket in a room.
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateConnected {
		return
	}
	s.ns.adapter.AddAll(s.id, rooms)
}

// Leave removes the socket from room.
func (s *Socket) Leave(room Room) { s.ns.adapter.Del(s.id, room) }

// Rooms returns the socket's rooms, starting with its own (its id).
func (s *Socket) Rooms() []Room {
	return append([]Room{Room(s.id)}, s.ns.adapter.SocketRooms(s.id)...)
}

func (s *Socket) inAny(rooms []Room) bool {
	if len(rooms) == 0 {
		return false
	}
	own := s.Rooms()
	for _, r := range rooms {
		if slices.Contains(own, r) {
			return true
		}
	}
	return false
}

// To selects the sockets in rooms, except this one.
func (s *Socket) To(rooms ...Room) BroadcastOperator {
	return BroadcastOperator{ns: s.ns}.To(rooms...).Except(Room(s.id))
}

// In is an alias of To.
func (s *Socket) In(rooms ...Room) BroadcastOperator { return s.To(rooms...) }

// Except selects every socket of the namespace except this one and those in rooms.
func (s *Socket) Except(rooms ...Room) BroadcastOperator {
	return s.Broadcast().Except(rooms...)
}

// Broadcast selects every socket of the namespace except this one.
func (s *Socket) Broadcast() BroadcastOperator {
	return BroadcastOperator{ns: s.ns}.Except(Room(s.id))
}

// Disconnect disconnects the socket from its namespace with reason "server
// namespace disconnect" (a DISCONNECT packet is sent). With close, every
// socket of the client connection is disconnected and the underlying
// Engine.IO connection is closed too. Idempotent.
func (s *Socket) Disconnect(close bool) {
	if close {
		s.cl.disconnectAll()
		return
	}
	s.close(ReasonServerNamespaceDisconnect, true)
}

// close ends the socket: stop accepting work, fail pending acks, leave
// rooms and the namespace, persist the session for recovery, cancel the
// context and queue the disconnect callbacks. Idempotent; the first reason
// wins.
func (s *Socket) close(reason DisconnectReason, notify bool) {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	was := s.state
	s.state = stateClosed
	acks := s.acks
	s.acks = nil
	// Queued events are dropped, but a connection handler that has not
	// run yet still runs (before the disconnect callbacks), so every socket
	// that was seen connected is also seen disconnected.
	kept := s.queue[:0]
	for _, it := range s.queue[s.qhead:] {
		if it.kind == itemConnect {
			kept = append(kept, it)
		}
	}
	clear(s.queue[len(kept):])
	s.queue, s.qhead = kept, 0
	start := false
	if was == stateConnected {
		s.queue = append(s.queue, inbound{kind: itemDisconnect, reason: reason})
		start = !s.running
		s.running = true
	}
	s.mu.Unlock()

	for _, e := range acks {
		if e.b != nil {
			e.b.lost()
		} else {
			close(e.ch)
		}
	}
	var sess *Session
	if was == stateConnected && s.ns.srv.recovery != nil && reason.Recoverable() {
		sess = &Session{SID: s.id, PID: s.pid, Rooms: s.ns.adapter.SocketRooms(s.id), Data: s.dataSnapshot()}
	}
	s.ns.adapter.DelAll(s.id)
	s.ns.remove(s)
	s.cl.remove(s)
	// DISCONNECT goes out only once the socket has left its rooms and the
	// namespace (the mirror of joining before CONNECT): a client that has
	// seen it finds the socket gone from Sockets(), and no broadcast packet
	// follows it.
	if was == stateConnected && notify {
		_ = s.cl.tr.send(encodeMessages(sioproto.Disconnect, s.ns.name, 0, false, nil, nil))
	}
	// The session is persisted only once the socket has left its rooms and
	// the namespace: a client reconnecting at once restores it under the same
	// id, and this socket's DelAll must not remove the restored rooms.
	if sess != nil {
		if sa, ok := s.ns.adapter.(SessionAdapter); ok {
			if err := sa.PersistSession(context.WithoutCancel(s.ctx), sess); err != nil {
				s.ns.srv.logger.LogAttrs(s.ctx, slog.LevelWarn, "persist session", slog.String(attrSID, string(s.id)), slog.Any(attrErr, err))
			}
		}
	}
	s.cancel()
	if start {
		s.startWorker()
	}
}

// enqueue queues an event from the read loop. It reports false when the
// inbound queue is full.
func (s *Socket) enqueue(it inbound) bool {
	s.mu.Lock()
	if s.state != stateConnected {
		s.mu.Unlock()
		return true
	}
	if len(s.queue)-s.qhead >= s.ns.srv.maxPending {
		s.mu.Unlock()
		return false
	}
	s.queue = append(s.queue, it)
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		s.startWorker()
	}
	return true
}

// startWorker hands the socket's drain task to the server's worker pool:
// a parked worker keeps its grown stack, where a new goroutine per event
// would grow its stack every time.
func (s *Socket) startWorker() {
	s.ns.srv.wg.Add(1)
	s.ns.srv.pool.Go(s.drainFn)
}

// drain runs queued work until the queue is empty; under s.mu it marks
// itself stopped when it finds nothing, so no wake-up is lost.
func (s *Socket) drain() {
	defer s.ns.srv.wg.Done()
	for {
		s.mu.Lock()
		if s.qhead == len(s.queue) {
			s.running = false
			// Keep a small array for the next event; drop a large one.
			if cap(s.queue) > 4 {
				s.queue = nil
			} else {
				s.queue = s.queue[:0]
			}
			s.qhead = 0
			s.mu.Unlock()
			return
		}
		it := s.queue[s.qhead]
		s.queue[s.qhead] = inbound{}
		s.qhead++
		s.mu.Unlock()
		switch it.kind {
		case itemEvent:
			s.handleEvent(&it)
		case itemConnect:
			for _, fn := range s.ns.reg.Load().onConn {
				s.safeCall(func() { fn(s) }, "connection handler")
			}
		case itemDisconnect:
			s.mu.Lock()
			fns := s.onDisc
			s.onDisc = nil
			s.handlers = nil
			s.mu.Unlock()
			for _, fn := range fns {
				s.safeCall(func() { fn(it.reason) }, "disconnect handler")
			}
		}
	}
}

func (s *Socket) safeCall(fn func(), what string) {
	defer func() {
		if r := recover(); r != nil {
			s.ns.srv.logger.LogAttrs(s.ctx, slog.LevelError, "panic in "+what,
				slog.String(attrSID, string(s.id)), slog.String(attrNsp, s.ns.name),
				slog.Any(attrErr, r), slog.String("stack", string(debug.Stack())))
		}
	}()
	fn()
}

func (s *Socket) handleEvent(it *inbound) {
	raw, err := sioproto.SplitArray(make([]json.RawMessage, 0, 4), it.data)
	if err != nil || len(raw) == 0 {
		return // cannot happen: the decoder validated the payload
	}
	name, ok := sioproto.EventName(it.data)
	if !ok {
		return
	}
	args := Args{raw: raw[1:], atts: it.atts}
	s.mu.Lock()
	h := s.handlers[string(name)]
	s.mu.Unlock()
	reg := s.ns.reg.Load()
	if h == nil {
		h = reg.handlers[string(name)]
	}
	var anyH AnyHandler
	if h == nil {
		if anyH = reg.any; anyH == nil {
			s.ns.srv.debug("event without handler", s, slog.String(attrEvent, string(name)))
			return
		}
	}
	ack, herr := s.callHandler(h, anyH, name, args)
	if herr != nil {
		var dr DisconnectReason
		if errors.As(herr, &dr) {
			defer s.close(dr, true)
		} else if !it.hasID {
			s.ns.srv.debug("handler error", s, slog.String(attrEvent, string(name)), slog.Any(attrErr, herr))
		}
	}
	if !it.hasID {
		return
	}
	if herr != nil {
		ack = errorAckArgs(herr)
	}
	text, atts, err := encodeAck(s.ns.name, it.id, ack)
	if err != nil {
		s.ns.srv.logger.LogAttrs(s.ctx, slog.LevelWarn, "encode ack", slog.String(attrSID, string(s.id)),
			slog.String(attrEvent, string(name)), slog.Any(attrErr, err))
		text, atts, _ = encodeAck(s.ns.name, it.id, genericErrorAck())
	}
	if len(atts) == 0 {
		_ = s.cl.tr.sendReply(outMsg{Data: text})
		return
	}
	_ = sendPacket(s.cl.tr, text, atts)
}

// errPanic marks a recovered handler panic.
var errPanic = errors.New("socketio: handler panicked")

func (s *Socket) callHandler(h Handler, anyH AnyHandler, name []byte, args Args) (ack []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.ns.srv.logger.LogAttrs(s.ctx, slog.LevelError, "panic in event handler",
				slog.String(attrSID, string(s.id)), slog.String(attrNsp, s.ns.name), slog.String(attrEvent, string(name)),
				slog.Any(attrErr, r), slog.String("stack", string(debug.Stack())))
			ack, err = nil, errPanic
		}
	}()
	if h != nil {
		return h(s.ctx, s, args)
	}
	return anyH(s.ctx, s, string(name), args)
}
