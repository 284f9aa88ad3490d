package mock

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

// nsState is the mock's side of one namespace of the document.
type nsState struct {
	m    *Server
	spec *asyncapi.Namespace
	ns   *sockspec.Namespace
	in   []*inEvent
	out  []*outEvent
	next int // round-robin cursor over out, owned by emitLoop

	mu      sync.Mutex
	sockets map[*socketio.Socket]struct{} // connected and answered
}

// inEvent is a client→server event and the stream of its fake acks.
type inEvent struct {
	ev  *asyncapi.Event
	ack *stream // nil: no ack, or an ack without arguments
}

// outEvent is a server→client event and the stream of its fake payloads.
type outEvent struct {
	ev      *asyncapi.Event
	payload *stream // nil: no arguments
}

// register installs the mock's handlers and hooks in the framework's
// namespace. named records the x-handlers names already given to
// HandleNamed (they may be shared between namespaces).
func (st *nsState) register(ns *sockspec.Namespace, named map[string]bool) {
	st.ns = ns
	for _, in := range st.in {
		ns.On(in.ev.Name, st.handler(in))
	}
	ns.OnConnect(st.connected)
	ns.OnDisconnect(st.disconnected)
	ns.OnError(st.failed)
	// The document's x-handlers names must be bound for Start to accept
	// the document; the hooks above are the ones that run.
	srv := st.m.srv
	h := st.spec.Handlers
	if h.Connect != "" && !named[h.Connect] {
		named[h.Connect] = true
		srv.HandleNamed(h.Connect, func(context.Context, *socketio.Socket) {})
	}
	if h.Disconnect != "" && !named[h.Disconnect] {
		named[h.Disconnect] = true
		srv.HandleNamed(h.Disconnect, func(context.Context, *socketio.Socket, socketio.DisconnectReason) {})
	}
	if h.Error != "" && !named[h.Error] {
		named[h.Error] = true
		srv.HandleNamed(h.Error, func(context.Context, *socketio.Socket, error) {})
	}
}

// handler answers a client→server event (already validated by the
// framework) with a fake ack when the event has one.
func (st *nsState) handler(in *inEvent) socketio.Handler {
	return func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		st.record(Record{Kind: RecordReceive, Namespace: st.spec.Name, Event: in.ev.Name, Socket: s.ID(), Args: args.Values()})
		if in.ev.Ack == nil {
			return nil, nil
		}
		ack, err := in.ack.next()
		if err != nil {
			st.m.log.LogAttrs(ctx, slog.LevelError, "mock: cannot generate an ack", slog.String("nsp", st.spec.Name), slog.String("event", in.ev.Name), slog.String("err", err.Error()))
			st.record(Record{Kind: RecordAck, Namespace: st.spec.Name, Event: in.ev.Name, Socket: s.ID(), Err: err})
			return nil, err
		}
		st.record(Record{Kind: RecordAck, Namespace: st.spec.Name, Event: in.ev.Name, Socket: s.ID(), Args: ack})
		return ack, nil
	}
}

func (st *nsState) connected(ctx context.Context, s *socketio.Socket) {
	s.Join(readyRoom)
	st.mu.Lock()
	st.sockets[s] = struct{}{}
	st.mu.Unlock()
	st.m.log.LogAttrs(ctx, slog.LevelInfo, "mock: client connected", slog.String("nsp", st.spec.Name), slog.String("sid", string(s.ID())))
	st.record(Record{Kind: RecordConnect, Namespace: st.spec.Name, Socket: s.ID()})
}

func (st *nsState) disconnected(ctx context.Context, s *socketio.Socket, reason socketio.DisconnectReason) {
	st.mu.Lock()
	delete(st.sockets, s)
	st.mu.Unlock()
	st.m.log.LogAttrs(ctx, slog.LevelInfo, "mock: client disconnected", slog.String("nsp", st.spec.Name), slog.String("sid", string(s.ID())), slog.String("reason", string(reason)))
	st.record(Record{Kind: RecordDisconnect, Namespace: st.spec.Name, Socket: s.ID(), Args: []any{string(reason)}})
}

// failed is the error hook: an invalid or undocumented event from a client
// (the framework answers it with an error ack), or the mock's own failure.
func (st *nsState) failed(ctx context.Context, s *socketio.Socket, err error) {
	r := Record{Kind: RecordReceive, Namespace: st.spec.Name, Socket: s.ID(), Err: err}
	if ve := (*sockspec.ValidationError)(nil); errors.As(err, &ve) {
		r.Event = ve.Event
		st.m.log.LogAttrs(ctx, slog.LevelWarn, "mock: client broke the contract", slog.String("nsp", st.spec.Name), slog.String("sid", string(s.ID())), slog.String("event", ve.Event), slog.String("err", err.Error()))
	} else {
		st.m.log.LogAttrs(ctx, slog.LevelError, "mock: event failed", slog.String("nsp", st.spec.Name), slog.String("sid", string(s.ID())), slog.String("err", err.Error()))
	}
	st.record(r)
}

// record calls Config.OnRecord; a panic in it is logged, never propagated
// (it may run on an emitter goroutine).
func (st *nsState) record(r Record) {
	f := st.m.cfg.OnRecord
	if f == nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			st.m.log.LogAttrs(context.Background(), slog.LevelError, "mock: panic in OnRecord", slog.String("nsp", r.Namespace), slog.Any("err", p))
		}
	}()
	r.Time = time.Now()
	f(r)
}

// ready returns the sockets that can receive events.
func (st *nsState) ready() []*socketio.Socket {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*socketio.Socket, 0, len(st.sockets))
	for s := range st.sockets {
		out = append(out, s)
	}
	return out
}

// emitLoop emits the namespace's server→client events in turn, one per
// interval, while at least one client is connected. The cursor and the
// value streams only advance when an event is emitted, so a client alone
// on a mock sees the same sequence on every run with the same seed.
func (st *nsState) emitLoop() {
	m := st.m
	defer m.wg.Done()
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
		}
		sockets := st.ready()
		if len(sockets) == 0 {
			continue
		}
		o := st.out[st.next]
		st.next = (st.next + 1) % len(st.out)
		st.emit(o, sockets)
	}
}

// emit sends one fake event: to the ready sockets of the namespace at once,
// or, when the event has an ack, to each socket with its own ack wait.
func (st *nsState) emit(o *outEvent, sockets []*socketio.Socket) {
	m := st.m
	ctx := m.ctx
	name := o.ev.Name
	args, err := o.payload.next()
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelError, "mock: cannot generate a payload", slog.String("nsp", st.spec.Name), slog.String("event", name), slog.String("err", err.Error()))
		st.record(Record{Kind: RecordEmit, Namespace: st.spec.Name, Event: name, Err: err})
		return
	}
	if o.ev.Ack == nil {
		err := st.ns.EmitTo(ctx, st.ns.SocketIO().To(readyRoom), name, args...)
		if err != nil {
			m.log.LogAttrs(ctx, slog.LevelError, "mock: emit failed", slog.String("nsp", st.spec.Name), slog.String("event", name), slog.String("err", err.Error()))
		}
		st.record(Record{Kind: RecordEmit, Namespace: st.spec.Name, Event: name, Args: args, Err: err})
		return
	}
	st.record(Record{Kind: RecordEmit, Namespace: st.spec.Name, Event: name, Args: args})
	for _, s := range sockets {
		m.wg.Add(1)
		go st.emitWithAck(s, name, args)
	}
}

func (st *nsState) emitWithAck(s *socketio.Socket, name string, args []any) {
	m := st.m
	defer m.wg.Done()
	ctx, cancel := context.WithTimeout(m.ctx, m.ackWait)
	defer cancel()
	ack, err := m.srv.EmitWithAck(ctx, s, name, args...)
	r := Record{Kind: RecordClientAck, Namespace: st.spec.Name, Event: name, Socket: s.ID(), Err: err}
	if err == nil {
		r.Args = ack.Values()
	} else if m.ctx.Err() != nil || !s.Connected() {
		return // shutting down, or the client left: nothing to report
	} else {
		m.log.LogAttrs(ctx, slog.LevelWarn, "mock: client ack missing or invalid", slog.String("nsp", st.spec.Name), slog.String("sid", string(s.ID())), slog.String("event", name), slog.String("err", err.Error()))
	}
	st.record(r)
}
