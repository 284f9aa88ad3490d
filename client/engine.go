package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/eioproto"
	"github.com/sockspec/sockspec/internal/sioproto"
)

// Engine.IO close reasons, as socket.io-client reports them (they become the DisconnectReason of
// every Socket on the connection).
const (
	reasonForcedClose    = "forced close"
	reasonTransportClose = "transport close"
	reasonTransportError = "transport error"
	reasonPingTimeout    = "ping timeout"
	reasonParseError     = "parse error"
)

// closeFlushTimeout bounds how long a client-initiated close waits for queued packets and
// the close packet to be written.
const closeFlushTimeout = 2 * time.Second

// errEngineClosed is returned by send after the Engine.IO connection closed.
var errEngineClosed = errors.New("client: connection closed")

// errDropped is returned by send when a volatile packet was discarded because the transport
// was busy.
var errDropped = errors.New("client: volatile packet dropped")

// sendClass says how send treats packets when the transport is busy.
type sendClass uint8

const (
	// sendControl is for protocol packets (pong, CONNECT, DISCONNECT): always queued. The
	// protocol bounds them (one pong per ping, one CONNECT or DISCONNECT per namespace state
	// change), and refusing a pong would turn a transient backlog into a ping timeout.
	sendControl sendClass = iota
	// sendData is for the application's packets (events, acks): refused with a
	// *QueueFullError when they would take the queued bytes over maxQueueBytes.
	sendData
	// sendVolatile is for volatile events: dropped (errDropped) unless nothing is queued or
	// being written, like socket.io-client's discard of a volatile packet when the transport
	// is not writable; then refused as sendData only when larger than the bound by itself.
	sendVolatile
)

// packetsSize is what pkts count against maxQueueBytes: their data plus the type byte, as the
// server's engineio counts them.
func packetsSize(pkts []eioproto.Packet) int {
	n := 0
	for _, p := range pkts {
		n += len(p.Data) + 1
	}
	return n
}

// transport is one Engine.IO transport of an engine. write is called only by the engine's
// writer goroutine; run only by one reader goroutine.
type transport interface {
	name() Transport
	write(ctx context.Context, pkts []eioproto.Packet) error
	run(e *engine)
	close()
}

// engineHandler receives an engine's messages (from its reader goroutine, in order) and its
// close (exactly once).
type engineHandler interface {
	onMessage(e *engine, data []byte, binary bool)
	onClose(e *engine, reason string, err error)
}

// handshake is the data of the Engine.IO open packet.
type handshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

// engine is one Engine.IO session. Its goroutines: the reader of the current transport, and,
// while they have work, the writer and the upgrader. Close/fail cancel ctx; wg waits for them.
type engine struct {
	opts         *options
	h            engineHandler
	sid          string
	pingInterval time.Duration
	pingTimeout  time.Duration
	maxPayload   int
	canUpgrade   bool

	ctx    context.Context // the session's lifetime, cancelled when it closes
	cancel context.CancelFunc
	wg     *sync.WaitGroup  // the Manager's: Close waits for every engine's goroutines
	dec    sioproto.Decoder // used by the reader goroutine only
	flush  chan struct{}    // closed when the close packet was written
	done   chan struct{}    // closed when the session is closed and the handler was told
	// upgraded is closed when the session has moved to WebSocket after a polling handshake.
	upgraded chan struct{}

	mu      sync.Mutex
	idle    *sync.Cond // signalled when writing becomes false
	tr      transport
	pending []eioproto.Packet // packets received with the handshake, delivered first
	queue   []eioproto.Packet
	// queued counts the bytes (packetsSize) of queue plus those of the batch being written:
	// the writer holds a batch until its write returns, so this is the memory the session
	// holds for outgoing packets, which sendData keeps within opts.maxQueueBytes.
	queued    int
	writing   bool
	upgrading bool
	closing   bool
	closed    bool
	pingTimer *time.Timer
}

// dialEngine performs the Engine.IO handshake over the first configured transport. The
// returned engine is not started: call start once the handler is ready for messages.
func dialEngine(ctx context.Context, o *options, h engineHandler) (*engine, error) {
	var (
		tr      transport
		open    eioproto.Packet
		pending []eioproto.Packet
	)
	switch o.transports[0] {
	case Polling:
		p := &polling{opts: o}
		pkts, err := p.get(ctx)
		if err != nil {
			return nil, fmt.Errorf("handshake: %w", err)
		}
		open, pending = pkts[0], pkts[1:]
		tr = p
	default:
		w, err := dialWebSocket(ctx, o, "")
		if err != nil {
			return nil, fmt.Errorf("handshake: %w", err)
		}
		stop := context.AfterFunc(ctx, func() { w.close() })
		data, binary, err := w.readMessage()
		if !stop() || ctx.Err() != nil {
			w.close()
			return nil, fmt.Errorf("handshake: %w", ctx.Err())
		}
		if err == nil {
			open, err = eioproto.DecodePacket(data, binary)
		}
		if err != nil {
			w.close()
			return nil, fmt.Errorf("handshake: %w", err)
		}
		tr = w
	}
	hs, err := parseOpen(open)
	if err != nil {
		tr.close()
		return nil, err
	}
	e := &engine{
		opts:         o,
		h:            h,
		sid:          hs.SID,
		pingInterval: time.Duration(hs.PingInterval) * time.Millisecond,
		pingTimeout:  time.Duration(hs.PingTimeout) * time.Millisecond,
		maxPayload:   int(hs.MaxPayload),
		tr:           tr,
		pending:      pending,
		flush:        make(chan struct{}),
		done:         make(chan struct{}),
		upgraded:     make(chan struct{}),
	}
	if p, ok := tr.(*polling); ok {
		p.sid = hs.SID
		p.maxPayload = e.maxPayload
		p.paused = make(chan struct{})
		if o.has(WebSocket) {
			for _, u := range hs.Upgrades {
				if u == string(WebSocket) {
					e.canUpgrade = true
				}
			}
		}
	}
	e.idle = sync.NewCond(&e.mu)
	return e, nil
}

func parseOpen(p eioproto.Packet) (handshake, error) {
	var hs handshake
	if p.Type != eioproto.Open {
		return hs, fmt.Errorf("handshake: got %s packet, want open: %w", p.Type, eioproto.ErrInvalidPacket)
	}
	if err := json.Unmarshal(p.Data, &hs); err != nil {
		return hs, fmt.Errorf("handshake: %w", err)
	}
	if hs.SID == "" || hs.PingInterval <= 0 || hs.PingTimeout <= 0 {
		return hs, fmt.Errorf("handshake: missing sid, pingInterval or pingTimeout in %q: %w", p.Data, eioproto.ErrInvalidPacket)
	}
	if hs.MaxPayload <= 0 {
		hs.MaxPayload = 1e6
	}
	return hs, nil
}

// start launches the reader, the writer, the heartbeat timer and, when possible, the upgrade.
func (e *engine) start() {
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.mu.Lock()
	e.pingTimer = time.AfterFunc(e.pingInterval+e.pingTimeout, e.onPingTimeout)
	tr := e.tr
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		pending := e.pending
		e.pending = nil
		for _, p := range pending {
			if !e.onPacket(p) {
				return
			}
		}
		tr.run(e)
	}()
	if e.canUpgrade {
		e.wg.Add(1)
		go e.upgrade(tr.(*polling))
	}
}

func (e *engine) onPingTimeout() { e.fail(reasonPingTimeout, nil) }

// transportName returns the current transport.
func (e *engine) transportName() Transport {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tr.name()
}

// onPacket handles one received packet; it returns false when the reader must stop.
func (e *engine) onPacket(p eioproto.Packet) bool {
	switch p.Type {
	case eioproto.Ping:
		e.mu.Lock()
		if !e.closed {
			e.pingTimer.Reset(e.pingInterval + e.pingTimeout)
		}
		e.mu.Unlock()
		_ = e.send(sendControl, eioproto.Packet{Type: eioproto.Pong, Data: p.Data})
	case eioproto.Message:
		e.h.onMessage(e, p.Data, p.Binary)
	case eioproto.Close:
		e.fail(reasonTransportClose, nil)
		return false
	}
	return e.ctx.Err() == nil
}

// send enqueues packets (all or none) for the writer. It never blocks. Beyond errEngineClosed,
// it returns a *QueueFullError for sendData and errDropped for sendVolatile (see sendClass).
func (e *engine) send(class sendClass, pkts ...eioproto.Packet) error {
	n := packetsSize(pkts)
	e.mu.Lock()
	if e.closing || e.closed {
		e.mu.Unlock()
		return errEngineClosed
	}
	if class == sendVolatile && (e.queued > 0 || e.upgrading) {
		// Busy: something is queued or being written, or an upgrade holds the writer.
		e.mu.Unlock()
		return errDropped
	}
	// A volatile packet on an idle connection is refused only when larger than the bound.
	if limit := e.opts.maxQueueBytes; class != sendControl && e.queued+n > limit {
		queued := e.queued
		e.mu.Unlock()
		return &QueueFullError{Queued: queued, Size: n, Limit: limit}
	}
	e.queue = append(e.queue, pkts...)
	e.queued += n
	e.kickLocked()
	e.mu.Unlock()
	return nil
}

// kickLocked starts the writer goroutine when there is something to write and none runs: the
// writer exists only while there is work. e.mu must be held.
func (e *engine) kickLocked() {
	if e.writing || e.closed || len(e.queue) == 0 || (e.upgrading && !e.closing) {
		return
	}
	e.writing = true
	e.wg.Add(1)
	go e.drain()
}

// drain writes the queue until it is empty, then exits. It is the only writer of the
// transport.
func (e *engine) drain() {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		if e.closed || len(e.queue) == 0 || (e.upgrading && !e.closing) {
			e.writing = false
			e.idle.Broadcast()
			e.mu.Unlock()
			return
		}
		pkts, tr, closing := e.queue, e.tr, e.closing
		e.queue = nil
		e.mu.Unlock()
		err := tr.write(e.ctx, pkts)
		e.mu.Lock()
		if !e.closed { // fail already reset queued
			e.queued -= packetsSize(pkts)
		}
		e.mu.Unlock()
		if err != nil || closing {
			e.mu.Lock()
			e.writing = false
			e.idle.Broadcast()
			e.mu.Unlock()
			if closing {
				close(e.flush)
			}
			if err != nil {
				e.fail(reasonTransportError, err)
			}
			return
		}
	}
}

// upgrade probes a WebSocket for the session and, when the server answers, moves the session
// onto it: polling pauses, the writer drains, the upgrade packet is sent, and the WebSocket
// becomes the transport. A failed probe leaves the session on polling.
func (e *engine) upgrade(p *polling) {
	defer e.wg.Done()
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.timeout)
	defer cancel()
	log := e.opts.logger
	w, err := dialWebSocket(ctx, e.opts, e.sid)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelDebug, "websocket upgrade failed", slog.String("sid", e.sid), slog.Any("err", err))
		return
	}
	stop := context.AfterFunc(ctx, w.close)
	ok := false
	defer func() {
		if !ok {
			w.close()
		}
	}()
	probe := []byte("probe")
	if err := w.write(ctx, []eioproto.Packet{{Type: eioproto.Ping, Data: probe}}); err != nil {
		log.LogAttrs(ctx, slog.LevelDebug, "websocket probe failed", slog.String("sid", e.sid), slog.Any("err", err))
		return
	}
	data, binary, err := w.readMessage()
	if err != nil {
		log.LogAttrs(ctx, slog.LevelDebug, "websocket probe failed", slog.String("sid", e.sid), slog.Any("err", err))
		return
	}
	if pkt, err := eioproto.DecodePacket(data, binary); err != nil || pkt.Type != eioproto.Pong || string(pkt.Data) != "probe" {
		log.LogAttrs(ctx, slog.LevelDebug, "websocket probe: unexpected answer", slog.String("sid", e.sid), slog.String("data", string(data)))
		return
	}
	e.mu.Lock()
	if e.closing || e.closed {
		e.mu.Unlock()
		return
	}
	e.upgrading = true
	e.mu.Unlock()
	select {
	case <-p.paused:
	case <-ctx.Done():
		e.fail(reasonTransportError, fmt.Errorf("upgrade: polling did not pause: %w", ctx.Err()))
		return
	}
	e.mu.Lock()
	for e.writing {
		e.idle.Wait()
	}
	e.mu.Unlock()
	if err := w.write(ctx, []eioproto.Packet{{Type: eioproto.Upgrade}}); err != nil {
		e.fail(reasonTransportError, fmt.Errorf("upgrade: %w", err))
		return
	}
	if !stop() {
		e.fail(reasonTransportError, fmt.Errorf("upgrade: %w", context.Cause(ctx)))
		return
	}
	e.mu.Lock()
	if e.closed || e.closing {
		e.mu.Unlock()
		return
	}
	e.tr = w
	e.upgrading = false
	ok = true
	close(e.upgraded)
	e.kickLocked()
	e.mu.Unlock()
	p.close()
	if e.opts.ownClient {
		// The polling connections are not needed any more; idle ones hold two goroutines each.
		e.opts.httpClient.CloseIdleConnections()
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		w.run(e)
	}()
}

// fail terminates the session (first call wins) and reports reason to the handler.
func (e *engine) fail(reason string, err error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	if e.closing {
		// The client asked to close: whatever ended the transport since is a consequence.
		reason, err = reasonForcedClose, nil
	}
	e.pingTimer.Stop()
	tr := e.tr
	e.queue, e.queued = nil, 0
	e.idle.Broadcast()
	e.mu.Unlock()
	e.cancel()
	tr.close()
	e.h.onClose(e, reason, err)
	close(e.done)
}

// close sends the close packet after the queued packets (waiting at most closeFlushTimeout)
// and terminates the session with reason "forced close". It returns once the session is
// closed and the handler was told, but does not wait for the goroutines.
func (e *engine) close() {
	e.mu.Lock()
	if e.closing || e.closed {
		e.mu.Unlock()
		<-e.done
		return
	}
	e.closing = true
	e.queue = append(e.queue, eioproto.Packet{Type: eioproto.Close})
	e.queued++
	e.kickLocked()
	e.mu.Unlock()
	t := time.NewTimer(closeFlushTimeout)
	select {
	case <-e.flush:
	case <-e.ctx.Done():
	case <-t.C:
	}
	t.Stop()
	e.fail(reasonForcedClose, nil)
}
