package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// Handler handles a received event. ctx is cancelled when the socket disconnects. When the
// server asked for an ack, the returned values are sent back as its arguments (nil sends an
// ack without arguments); otherwise they are ignored. Values are encoded as by [Socket.Emit].
type Handler func(ctx context.Context, args Args) []any

// AnyHandler observes every received event, before the event's own Handler.
type AnyHandler func(ctx context.Context, event string, args Args)

type sockState uint8

const (
	stateDisconnected sockState = iota
	stateConnecting
	stateConnected
)

type bufferedEvent struct {
	event string
	args  Args
	hasID bool
	id    uint64
}

type ackResult struct {
	args Args
	err  error
}

// Socket is a connection to one namespace, multiplexed on its [Manager]'s connection.
//
// Handlers (On, OnAny, OnConnect, OnConnectError, OnDisconnect) run one at a time, in arrival
// order, on a goroutine of the Socket, never on the connection's reader: a handler may call
// EmitWithAck on its own Socket. Register them before Connect to see every event. All methods
// are safe for concurrent use.
type Socket struct {
	m    *Manager
	nsp  string
	auth any

	mu             sync.Mutex
	state          sockState
	active         bool    // wants to be connected; reconnects after a lost connection
	eng            *engine // the connection the CONNECT was sent on
	id             string
	pid            string // recovery session id (when the server enables recovery)
	offset         string // offset of the last event received (recovery)
	recovered      bool
	waiters        []chan error
	handlers       map[string]Handler
	anyHandler     AnyHandler
	onConnect      func()
	onConnectError func(err error)
	onDisconnect   func(reason DisconnectReason)
	acks           map[uint64]chan ackResult
	nextID         uint64
	connCtx        context.Context // cancelled when the current connection of the socket ends
	recvBuf        []bufferedEvent // events received before the CONNECT answer (recovery replays them first)
	connCancel     context.CancelFunc

	qmu     sync.Mutex
	jobs    []func()
	running bool
}

// Namespace returns the Socket's namespace.
func (s *Socket) Namespace() string { return s.nsp }

// Manager returns the Manager the Socket is multiplexed on.
func (s *Socket) Manager() *Manager { return s.m }

// ID returns the socket id the server gave on the current connection, or "" when not connected.
func (s *Socket) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateConnected {
		return ""
	}
	return s.id
}

// Connected reports whether the Socket is connected to its namespace.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateConnected
}

// Recovered reports whether the last connection recovered the previous session (server-side
// connection state recovery): the server kept the socket's id, rooms and data and delivered
// the packets missed while disconnected.
func (s *Socket) Recovered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recovered
}

func (s *Socket) isActive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// On registers the handler of event (replacing any previous one; nil removes it).
func (s *Socket) On(event string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, event)
		return
	}
	s.handlers[event] = h
}

// OnAny registers a handler that observes every received event (nil removes it).
func (s *Socket) OnAny(h AnyHandler) {
	s.mu.Lock()
	s.anyHandler = h
	s.mu.Unlock()
}

// OnConnect registers a function called after each successful namespace connection, including
// reconnections.
func (s *Socket) OnConnect(fn func()) {
	s.mu.Lock()
	s.onConnect = fn
	s.mu.Unlock()
}

// OnConnectError registers a function called when a connection attempt fails: with a
// [*ConnectError] when the server refuses the namespace (the Socket then stays disconnected),
// or with the error that ended reconnection.
func (s *Socket) OnConnectError(fn func(err error)) {
	s.mu.Lock()
	s.onConnectError = fn
	s.mu.Unlock()
}

// OnDisconnect registers a function called when a connected Socket disconnects.
func (s *Socket) OnDisconnect(fn func(reason DisconnectReason)) {
	s.mu.Lock()
	s.onDisconnect = fn
	s.mu.Unlock()
}

// Connect connects the Socket to its namespace, opening the Manager's connection if needed, and
// waits for the server's answer. It returns nil when already connected, a [*ConnectError] when
// the server refuses, [ErrDisconnected] when the connection is lost first, or ctx's error (the
// Socket then gives up). After a successful Connect the Socket reconnects automatically until
// Disconnect, a server-side disconnect or [Manager.Close].
func (s *Socket) Connect(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ch := make(chan error, 1)
	s.mu.Lock()
	if s.state == stateConnected {
		s.mu.Unlock()
		return nil
	}
	s.active = true
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()

	e, err := s.m.open(ctx)
	if err == nil {
		s.sendConnect(e)
		select {
		case err = <-ch:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		s.mu.Lock()
		for i, w := range s.waiters {
			if w == ch {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				break
			}
		}
		if len(s.waiters) == 0 && s.state != stateConnected {
			s.active = false
			s.state = stateDisconnected
			s.eng = nil
		}
		s.mu.Unlock()
		s.m.release()
		return err
	}
	return nil
}

// sendConnect sends CONNECT on e unless already sent there or the Socket is inactive.
func (s *Socket) sendConnect(e *engine) {
	s.mu.Lock()
	if !s.active || s.eng == e {
		s.mu.Unlock()
		return
	}
	data, err := s.connectPayload()
	if err != nil {
		s.active = false
		s.notifyLocked(err)
		s.mu.Unlock()
		return
	}
	s.eng = e
	s.state = stateConnecting
	s.mu.Unlock()
	if err := sendPacket(e, sendControl, &sioproto.Packet{Type: sioproto.Connect, Namespace: s.nsp, Data: data}); err != nil {
		// The connection closed meanwhile (its close may already have passed this Socket by):
		// fail a waiting Connect; reconnection, if any, sends CONNECT again.
		s.mu.Lock()
		if s.eng == e && s.state == stateConnecting {
			s.eng = nil
			s.state = stateDisconnected
			s.notifyLocked(fmt.Errorf("%w: %w", ErrDisconnected, err))
		}
		s.mu.Unlock()
	}
}

// connectPayload returns the CONNECT data: auth, plus pid and offset when the server gave a
// recovery session (auth's own keys win, as in socket.io-client). s.mu must be held.
func (s *Socket) connectPayload() (json.RawMessage, error) {
	var auth []byte
	if s.auth != nil {
		var err error
		if auth, err = json.Marshal(s.auth); err != nil {
			return nil, fmt.Errorf("client: encode auth: %w", err)
		}
		if string(auth) == "null" {
			auth = nil
		} else if auth[0] != '{' {
			return nil, fmt.Errorf("client: auth must encode as a JSON object, got %.20s", auth)
		}
	}
	if s.pid == "" {
		return auth, nil
	}
	obj := map[string]json.RawMessage{}
	if auth != nil {
		if err := json.Unmarshal(auth, &obj); err != nil {
			return nil, fmt.Errorf("client: encode auth: %w", err)
		}
	}
	if _, ok := obj["pid"]; !ok {
		obj["pid"] = json.RawMessage(sioproto.AppendString(nil, s.pid))
	}
	if _, ok := obj["offset"]; !ok && s.offset != "" {
		obj["offset"] = json.RawMessage(sioproto.AppendString(nil, s.offset))
	}
	return json.Marshal(obj)
}

// notifyLocked answers every Connect waiter. s.mu must be held.
func (s *Socket) notifyLocked(err error) {
	for _, w := range s.waiters {
		w <- err
	}
	s.waiters = nil
}

// failAcksLocked fails every pending EmitWithAck. s.mu must be held.
func (s *Socket) failAcksLocked() {
	for id, ch := range s.acks {
		ch <- ackResult{err: ErrDisconnected}
		delete(s.acks, id)
	}
}

func (s *Socket) endConnLocked() {
	s.recvBuf = nil
	if s.connCancel != nil {
		s.connCancel()
		s.connCancel = nil
	}
}

// Disconnect disconnects the Socket from its namespace (the server sees "client namespace
// disconnect") and stops its reconnection. The Manager's connection closes when no Socket uses
// it any more. Connect may be called again later.
func (s *Socket) Disconnect() {
	s.mu.Lock()
	e := s.eng
	was := s.state
	s.active = false
	s.state = stateDisconnected
	s.eng = nil
	s.failAcksLocked()
	s.endConnLocked()
	s.notifyLocked(ErrDisconnected)
	if was == stateConnected {
		s.enqueueDisconnect(ReasonClientDisconnect)
	}
	s.mu.Unlock()
	if e != nil && was != stateDisconnected {
		_ = sendPacket(e, sendControl, &sioproto.Packet{Type: sioproto.Disconnect, Namespace: s.nsp})
	}
	s.m.release()
}

// deactivate stops the Socket for good after a Manager close or failed reconnection.
func (s *Socket) deactivate(err error) {
	s.mu.Lock()
	if !s.active {
		s.mu.Unlock()
		return
	}
	s.active = false
	s.notifyLocked(err)
	fn := s.onConnectError
	s.mu.Unlock()
	if fn != nil && err != ErrClosed {
		s.enqueue(func() { fn(err) })
	}
}

// onClose handles the loss of connection e; it reports whether the Socket still wants to
// reconnect.
func (s *Socket) onClose(e *engine, reason DisconnectReason) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng != e {
		return s.active
	}
	was := s.state
	s.eng = nil
	s.state = stateDisconnected
	s.failAcksLocked()
	s.endConnLocked()
	if len(s.waiters) > 0 {
		// A Connect in progress fails rather than waiting for reconnection.
		s.notifyLocked(fmt.Errorf("%w: %s", ErrDisconnected, reason))
		s.active = false
	}
	if was == stateConnected {
		s.enqueueDisconnect(reason)
	}
	return s.active
}

func (s *Socket) enqueueDisconnect(reason DisconnectReason) {
	if fn := s.onDisconnect; fn != nil {
		s.enqueue(func() { fn(reason) })
	}
}

// onPacket handles a packet for this namespace, on the connection's reader goroutine.
func (s *Socket) onPacket(e *engine, p *sioproto.Packet) {
	switch p.Type {
	case sioproto.Connect:
		s.onConnectPacket(e, p)
	case sioproto.ConnectError:
		s.onConnectErrorPacket(e, p)
	case sioproto.Disconnect:
		s.mu.Lock()
		if s.eng != e || s.state != stateConnected {
			s.mu.Unlock()
			return
		}
		s.active = false
		s.state = stateDisconnected
		s.eng = nil
		s.failAcksLocked()
		s.endConnLocked()
		s.enqueueDisconnect(ReasonServerDisconnect)
		s.mu.Unlock()
		s.m.release()
	case sioproto.Event, sioproto.BinaryEvent:
		s.onEvent(e, p)
	case sioproto.Ack, sioproto.BinaryAck:
		args, err := newArgs(p.Data, p.Attachments, 0)
		s.mu.Lock()
		ch, ok := s.acks[p.ID]
		delete(s.acks, p.ID)
		s.mu.Unlock()
		if ok {
			ch <- ackResult{args: args, err: err}
		}
	}
}

func (s *Socket) onConnectPacket(e *engine, p *sioproto.Packet) {
	var data struct {
		SID string `json:"sid"`
		PID string `json:"pid"`
	}
	_ = json.Unmarshal(p.Data, &data)
	s.mu.Lock()
	if !s.active || s.eng != e {
		s.mu.Unlock()
		// A late answer to an abandoned Connect: leave the namespace again.
		_ = sendPacket(e, sendControl, &sioproto.Packet{Type: sioproto.Disconnect, Namespace: s.nsp})
		return
	}
	if s.state == stateConnected {
		s.mu.Unlock()
		return
	}
	s.id = data.SID
	s.recovered = data.PID != "" && data.PID == s.pid
	s.pid = data.PID
	s.state = stateConnected
	buf := s.recvBuf
	s.endConnLocked()
	s.connCtx, s.connCancel = context.WithCancel(context.Background())
	s.notifyLocked(nil)
	// Like socket.io-client, events that arrived before CONNECT (the missed packets of a
	// recovered session) are handled first, then the connect hook.
	for _, b := range buf {
		s.queueEventLocked(e, b)
	}
	if fn := s.onConnect; fn != nil {
		s.enqueue(fn)
	}
	s.mu.Unlock()
}

func (s *Socket) onConnectErrorPacket(e *engine, p *sioproto.Packet) {
	cerr := &ConnectError{Namespace: s.nsp}
	var obj struct {
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(p.Data, &obj); err == nil {
		cerr.Message, cerr.Data = obj.Message, obj.Data
	} else {
		_ = json.Unmarshal(p.Data, &cerr.Message)
	}
	s.mu.Lock()
	if s.eng != e {
		s.mu.Unlock()
		return
	}
	s.active = false
	s.state = stateDisconnected
	s.eng = nil
	s.recvBuf = nil
	s.notifyLocked(cerr)
	if fn := s.onConnectError; fn != nil {
		s.enqueue(func() { fn(cerr) })
	}
	s.mu.Unlock()
	s.m.release()
}

func (s *Socket) onEvent(e *engine, p *sioproto.Packet) {
	name, ok := sioproto.EventName(p.Data)
	if !ok {
		return
	}
	event := string(name)
	args, err := newArgs(p.Data, p.Attachments, 1)
	if err != nil {
		return
	}
	b := bufferedEvent{event: event, args: args, hasID: p.HasID, id: p.ID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng != e {
		return
	}
	switch s.state {
	case stateConnecting:
		if len(s.recvBuf) < maxRecvBuffer {
			s.recvBuf = append(s.recvBuf, b)
		}
	case stateConnected:
		s.queueEventLocked(e, b)
	}
}

// maxRecvBuffer bounds the events kept while waiting for the CONNECT answer.
const maxRecvBuffer = 1 << 16

// queueEventLocked records the recovery offset and queues the event's handlers. s.mu must be
// held.
func (s *Socket) queueEventLocked(e *engine, b bufferedEvent) {
	if s.pid != "" && b.args.Len() > 0 {
		if off, ok := sioproto.StringBytes(b.args.Raw(b.args.Len() - 1)); ok {
			s.offset = string(off)
		}
	}
	ctx := s.connCtx
	s.enqueue(func() { s.dispatch(ctx, e, b.event, b.args, b.hasID, b.id) })
}

func (s *Socket) dispatch(ctx context.Context, e *engine, event string, args Args, hasID bool, id uint64) {
	s.mu.Lock()
	h, anyH := s.handlers[event], s.anyHandler
	s.mu.Unlock()
	if anyH != nil {
		anyH(ctx, event, args)
	}
	if h == nil {
		return
	}
	res := h(ctx, args)
	if !hasID {
		return
	}
	if res == nil {
		res = []any{}
	}
	data, atts, err := sioproto.AppendValue(nil, res, nil)
	if err != nil {
		s.m.opts.logger.LogAttrs(ctx, slog.LevelWarn, "encode ack", slog.String("nsp", s.nsp), slog.String("event", event), slog.Any("err", err))
		return
	}
	typ := sioproto.Ack
	if len(atts) > 0 {
		typ = sioproto.BinaryAck
	}
	err = sendPacket(e, sendData, &sioproto.Packet{Type: typ, Namespace: s.nsp, ID: id, HasID: true, Data: data, Attachments: atts})
	if errors.Is(err, ErrQueueFull) {
		// The handler's answer counts against MaxQueueBytes like an emit; nobody can be told
		// but the log (the server's EmitWithAck times out).
		s.m.opts.logger.LogAttrs(ctx, slog.LevelWarn, "ack dropped", slog.String("nsp", s.nsp), slog.String("event", event), slog.Any("err", err))
	}
}

// enqueue runs job on the Socket's handler goroutine, started on demand.
func (s *Socket) enqueue(job func()) {
	s.qmu.Lock()
	s.jobs = append(s.jobs, job)
	if s.running {
		s.qmu.Unlock()
		return
	}
	s.running = true
	s.qmu.Unlock()
	go s.work()
}

func (s *Socket) work() {
	for {
		s.qmu.Lock()
		if len(s.jobs) == 0 {
			s.running = false
			s.jobs = nil
			s.qmu.Unlock()
			return
		}
		job := s.jobs[0]
		s.jobs[0] = nil
		s.jobs = s.jobs[1:]
		s.qmu.Unlock()
		s.run(job)
	}
}

func (s *Socket) run(job func()) {
	defer func() {
		if r := recover(); r != nil {
			s.m.opts.logger.LogAttrs(context.Background(), slog.LevelError, "handler panic", slog.String("nsp", s.nsp), slog.Any("panic", r))
		}
	}()
	job()
}

// Emit sends event with args to the server. A []byte anywhere in args (top level, or inside
// []any and map[string]any values) is sent as a binary attachment; json.RawMessage is sent
// verbatim; other values are encoded with encoding/json. It does not wait for the packet to
// be written. It returns [ErrNotConnected] when the Socket is not connected (the event is not
// kept for a later connection: unlike socket.io-client's sendBuffer, nothing accumulates
// while disconnected), and a [*QueueFullError] ([ErrQueueFull]) when the connection already
// holds [Config].MaxQueueBytes of outgoing packets; the connection then stays open.
func (s *Socket) Emit(ctx context.Context, event string, args ...any) error {
	_, err := s.emit(ctx, event, args, nil, sendData)
	return err
}

// VolatileSocket emits volatile events. Obtain one with [Socket.Volatile].
type VolatileSocket struct{ s *Socket }

// Volatile returns an emitter of volatile events for this Socket, like socket.io-client's
// socket.volatile: events that may be lost rather than wait.
func (s *Socket) Volatile() VolatileSocket { return VolatileSocket{s} }

// Emit sends a volatile event: as [Socket.Emit], except that when the connection is busy
// (packets queued or being written, or an upgrade in progress) the event is dropped and Emit
// returns nil, as socket.io-client discards a volatile packet when its transport is not
// writable. It fails with [ErrQueueFull] only for an event larger than [Config].MaxQueueBytes
// by itself, which can never be sent. It still returns [ErrNotConnected] when the Socket is
// not connected (socket.io-client drops it then too, silently).
func (v VolatileSocket) Emit(ctx context.Context, event string, args ...any) error {
	_, err := v.s.emit(ctx, event, args, nil, sendVolatile)
	if errors.Is(err, errDropped) {
		return nil
	}
	return err
}

// EmitWithAck sends event with args (as Emit) asking for an acknowledgement, and waits for it.
// It returns the ack's arguments, ctx's error (an ack timeout is a ctx deadline),
// [ErrDisconnected] when the Socket disconnects first, or Emit's errors ([ErrNotConnected],
// [ErrQueueFull]) when the event could not be sent.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	ch := make(chan ackResult, 1)
	id, err := s.emit(ctx, event, args, ch, sendData)
	if err != nil {
		return Args{}, err
	}
	select {
	case r := <-ch:
		return r.args, r.err
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.acks, id)
		s.mu.Unlock()
		return Args{}, ctx.Err()
	}
}

func (s *Socket) emit(ctx context.Context, event string, args []any, ack chan ackResult, class sendClass) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if sioproto.IsReservedEvent(event) {
		return 0, fmt.Errorf("client: %q is a reserved event name", event)
	}
	payload := make([]any, 0, 1+len(args))
	payload = append(payload, event)
	payload = append(payload, args...)
	data, atts, err := sioproto.AppendValue(nil, payload, nil)
	if err != nil {
		return 0, fmt.Errorf("client: encode %q: %w", event, err)
	}
	p := sioproto.Packet{Type: sioproto.Event, Namespace: s.nsp, Data: data, Attachments: atts}
	if len(atts) > 0 {
		p.Type = sioproto.BinaryEvent
	}
	s.mu.Lock()
	if s.state != stateConnected {
		s.mu.Unlock()
		return 0, ErrNotConnected
	}
	e := s.eng
	if ack != nil {
		p.ID, p.HasID = s.nextID, true
		s.nextID++
		s.acks[p.ID] = ack
	}
	s.mu.Unlock()
	if err := sendPacket(e, class, &p); err != nil {
		if ack != nil {
			s.mu.Lock()
			delete(s.acks, p.ID)
			s.mu.Unlock()
		}
		if errors.Is(err, ErrQueueFull) || errors.Is(err, errDropped) {
			return 0, fmt.Errorf("client: emit %q: %w", event, err)
		}
		return 0, fmt.Errorf("%w: %w", ErrNotConnected, err)
	}
	return p.ID, nil
}
