package engineio

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/eioproto"
	"github.com/sockspec/sockspec/internal/wsconn"
)

// Message is one Engine.IO message to send. Data must not be modified after Send: it may be
// shared by many connections (a broadcast) and is written asynchronously.
type Message struct {
	Data   []byte
	Binary bool
}

type connState uint8

const (
	stateOpen connState = iota
	stateClosing
	stateClosed
)

type transportKind uint8

const (
	kindPolling transportKind = iota
	kindWebSocket
)

// item is one queued outbound packet.
type item struct {
	data   []byte
	typ    eioproto.PacketType
	binary bool
}

// batch is a pooled outbound queue; a Conn holds one only while packets are pending.
type batch struct {
	items  []item
	frames []wsconn.Frame
}

var batchPool = sync.Pool{New: func() any { return &batch{items: make([]item, 0, 16)} }}

func getBatch() *batch { return batchPool.Get().(*batch) }

func putBatch(b *batch) {
	if cap(b.items) > 1024 {
		return
	}
	clear(b.items)
	clear(b.frames)
	b.items, b.frames = b.items[:0], b.frames[:0]
	batchPool.Put(b)
}

// upgrade is the state of a polling to WebSocket upgrade in progress.
type upgrade struct {
	ws      *wsconn.Conn
	timer   *time.Timer
	probed  bool
	release bool // the pending GET is to be answered with a noop
}

// Conn is one Engine.IO session. Its methods are safe for concurrent use. Callbacks (OnMessage,
// OnClose) must be set inside Config.OnConnection. An idle WebSocket Conn holds one parked
// goroutine (its read loop), one timer and no buffers.
type Conn struct {
	srv    *Server
	id     string
	req    *http.Request
	ctx    context.Context // the session's lifetime; cancelled when it closes
	cancel context.CancelFunc

	onMessage func(data []byte, binary bool)
	onClose   func(reason CloseReason, err error)

	mu        sync.Mutex
	state     connState
	kind      transportKind
	writing   bool   // WebSocket writer task running or handed to the pool
	writeFn   func() // c.writeLoop, made once on the first WebSocket write
	awaitPong bool
	pollBusy  bool // a GET is pending
	postBusy  bool // a POST is being processed
	ws        *wsconn.Conn
	q         *batch
	qBytes    int
	timer     *time.Timer
	due       time.Time // when the timer's current duty is due (to ignore stale fires)
	pollWake  chan struct{}
	up        *upgrade
	reason    CloseReason
	closeErr  error
}

// ID returns the session id (sid).
func (c *Conn) ID() string { return c.id }

// Request returns the handshake request: headers, URL and query, RemoteAddr. Its body is not
// readable and its context carries the handshake's values without its cancellation.
func (c *Conn) Request() *http.Request { return c.req }

// Context returns the session's context, cancelled when the session closes.
func (c *Conn) Context() context.Context { return c.ctx }

// Transport returns the current transport name, "polling" or "websocket".
func (c *Conn) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kind == kindWebSocket {
		return TransportWebSocket
	}
	return TransportPolling
}

// OnMessage sets the message callback. It is called with the Engine.IO message payload, one
// message at a time in arrival order; data is owned by the callee.
func (c *Conn) OnMessage(fn func(data []byte, binary bool)) { c.onMessage = fn }

// OnClose sets the callback called exactly once when the session closes. It runs on one of the
// session's goroutines or on the goroutine of a Close, CloseWithReason or CloseNow call, never
// inside Send, SendBatch or SendReply, so a sender may hold locks that the callback takes.
func (c *Conn) OnClose(fn func(reason CloseReason, err error)) { c.onClose = fn }

// Send enqueues a message without blocking. It returns [ErrClosed] once the session is closing
// and [ErrQueueFull] (closing the session) when the queue bound would be exceeded.
func (c *Conn) Send(m Message) error {
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return ErrClosed
	}
	if !c.enqueueLocked(eioproto.Message, m.Data, m.Binary) {
		c.mu.Unlock()
		c.overflow()
		return ErrQueueFull
	}
	c.mu.Unlock()
	return nil
}

// SendReply is Send for a message the peer is waiting for, such as an acknowledgement. When
// the transport is a WebSocket with nothing queued and no write in progress, the calling
// goroutine writes the message itself before SendReply returns, instead of handing it to a
// writer goroutine: one goroutine switch less on a request/response round trip. It may then
// block for as long as the write takes (at most the write timeout). Otherwise, and on
// polling, it is Send. Messages sent meanwhile by other goroutines are written in order, by
// a writer goroutine.
func (c *Conn) SendReply(m Message) error {
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return ErrClosed
	}
	inline := c.kind == kindWebSocket && !c.writing && c.q == nil && c.ws != nil
	if inline {
		// Claiming the writer role first makes the enqueue below start no writer.
		c.writing = true
		c.srv.wg.Add(1)
	}
	if !c.enqueueLocked(eioproto.Message, m.Data, m.Binary) {
		if inline {
			c.writing = false
			c.srv.wg.Done()
		}
		c.mu.Unlock()
		c.overflow()
		return ErrQueueFull
	}
	c.mu.Unlock()
	if inline {
		c.write(true)
	}
	return nil
}

// SendBatch enqueues the messages atomically and in order (no other message is interleaved),
// with the same errors as Send.
func (c *Conn) SendBatch(ms []Message) error {
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return ErrClosed
	}
	n := 0
	for _, m := range ms {
		n += len(m.Data) + 1
	}
	if c.qBytes+n > c.srv.cfg.MaxQueueBytes {
		c.mu.Unlock()
		c.overflow()
		return ErrQueueFull
	}
	for _, m := range ms {
		c.enqueueLocked(eioproto.Message, m.Data, m.Binary)
	}
	c.mu.Unlock()
	return nil
}

// Writable reports whether a message sent now would be written right away: a WebSocket with no
// write backlog, or a pending polling GET. Volatile messages are dropped when it is false.
func (c *Conn) Writable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateOpen {
		return false
	}
	if c.kind == kindWebSocket {
		return c.q == nil
	}
	return c.pollBusy && c.q == nil
}

// Close closes the session with [ReasonForcedClose] after flushing queued messages. It is
// idempotent: later calls return [ErrClosed].
func (c *Conn) Close() error { return c.CloseWithReason(ReasonForcedClose) }

// CloseWithReason is Close with the reason OnClose reports (and the logs show), e.g.
// [ReasonForcedServerClose] for a layer above that gives up on the session. Queued messages
// are flushed first. An empty reason means [ReasonForcedClose]. Once the session is closing,
// it returns [ErrClosed] and the first reason stays.
func (c *Conn) CloseWithReason(reason CloseReason) error {
	if reason == "" {
		reason = ReasonForcedClose
	}
	if !c.closeWith(reason, nil, true) {
		return ErrClosed
	}
	return nil
}

// CloseNow closes the session at once, dropping queued messages, with the reason OnClose
// reports: what a layer above does when the peer sent something undecodable
// ([ReasonParseError]), as the Node server closes without flushing then. An empty reason
// means [ReasonForcedClose]. If a graceful close is under way, CloseNow cuts it short
// (the reason of the first close stays); it returns [ErrClosed] once the session is closed.
func (c *Conn) CloseNow(reason CloseReason) error {
	if reason == "" {
		reason = ReasonForcedClose
	}
	if c.closeWith(reason, nil, false) {
		return nil
	}
	c.mu.Lock()
	closing := c.state == stateClosing
	c.mu.Unlock()
	if !closing {
		return ErrClosed
	}
	c.forceClose()
	return nil
}

// enqueueLocked queues a packet and wakes the transport. It reports false when the queue bound
// would be exceeded.
func (c *Conn) enqueueLocked(t eioproto.PacketType, data []byte, binary bool) bool {
	n := len(data) + 1
	if c.qBytes+n > c.srv.cfg.MaxQueueBytes {
		return false
	}
	if c.q == nil {
		c.q = getBatch()
	}
	c.q.items = append(c.q.items, item{data: data, typ: t, binary: binary})
	c.qBytes += n
	c.wakeLocked()
	return true
}

// wakeLocked makes the current transport write what is queued.
func (c *Conn) wakeLocked() {
	if c.kind == kindWebSocket {
		if !c.writing && c.ws != nil {
			c.writing = true
			c.srv.wg.Add(1)
			if c.writeFn == nil {
				c.writeFn = c.writeLoop
			}
			// A parked pool worker keeps its grown stack: a new goroutine per
			// write burst would grow its stack every time.
			c.srv.pool.Go(c.writeFn)
		}
		return
	}
	if c.pollWake != nil {
		close(c.pollWake)
		c.pollWake = nil
	}
}

// takeLocked removes and returns the queue.
func (c *Conn) takeLocked() *batch {
	b := c.q
	c.q, c.qBytes = nil, 0
	return b
}

var typeBytes = [...]byte{'0', '1', '2', '3', '4', '5', '6'}

func prefixOf(t eioproto.PacketType) []byte {
	i := int(t - eioproto.Open)
	return typeBytes[i : i+1]
}

// writeLoop is the WebSocket writer: it runs (on a pool worker) while packets are queued and
// returns when the queue is empty, closing the transport if the session is closing.
func (c *Conn) writeLoop() { c.write(false) }

// write writes queued batches to the WebSocket that was current when the writer started. The
// caller holds the writer role (c.writing) and a count in srv.wg, both given up on return. An
// inline writer (SendReply's caller) writes one batch only: if more was queued meanwhile, it
// hands the role to a pool worker rather than keep a caller that only meant to send a reply.
func (c *Conn) write(inline bool) {
	handedOff := false
	defer func() {
		if !handedOff {
			c.srv.wg.Done()
		}
	}()
	defer c.recoverPanic("writer")
	var ws *wsconn.Conn
	for first := true; ; first = false {
		c.mu.Lock()
		if ws == nil {
			ws = c.ws // non-nil: the writer role is taken only then
		}
		if inline && !first && c.q != nil && c.ws == ws {
			if c.writeFn == nil {
				c.writeFn = c.writeLoop
			}
			c.mu.Unlock()
			handedOff = true
			c.srv.pool.Go(c.writeFn) // inherits the writer role and the wg count
			return
		}
		b := c.takeLocked()
		if b == nil || c.ws != ws {
			c.writing = false
			closing := c.state == stateClosing
			c.mu.Unlock()
			if b != nil {
				putBatch(b)
			}
			if closing {
				_ = ws.Close(wsconn.StatusNormal, "")
				c.finish()
			}
			return
		}
		c.mu.Unlock()
		for _, it := range b.items {
			if it.binary && it.typ == eioproto.Message {
				b.frames = append(b.frames, wsconn.Frame{Binary: true, Data: it.data})
			} else {
				b.frames = append(b.frames, wsconn.Frame{Prefix: prefixOf(it.typ), Data: it.data})
			}
		}
		err := ws.WriteFrames(b.frames)
		putBatch(b)
		if err != nil {
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			c.fail(ReasonTransportError, fmt.Errorf("websocket write: %w", err))
			return
		}
	}
}

// resetTimerLocked arms the session's single timer.
func (c *Conn) resetTimerLocked(d time.Duration) {
	c.due = time.Now().Add(d)
	c.timer.Reset(d)
}

// onTimer drives the heartbeat (send a ping, then expect a pong) and the end of a gracefully
// closing polling session.
func (c *Conn) onTimer() {
	defer c.recoverPanic("timer")
	c.mu.Lock()
	if time.Now().Before(c.due) {
		c.mu.Unlock() // a stale fire that raced with a reset
		return
	}
	switch c.state {
	case stateOpen:
		if c.awaitPong {
			c.mu.Unlock()
			c.closeWith(ReasonPingTimeout, nil, false)
			return
		}
		c.awaitPong = true
		// The client has PingTimeout from when the ping is actually sent.
		c.resetTimerLocked(c.srv.cfg.PingTimeout)
		if !c.enqueueLocked(eioproto.Ping, nil, false) {
			c.mu.Unlock()
			c.closeWith(ReasonSlowConsumer, ErrQueueFull, false)
			return
		}
		c.mu.Unlock()
	case stateClosing:
		c.mu.Unlock()
		c.finish()
	default:
		c.mu.Unlock()
	}
}

// expired reports whether the session missed its pong deadline, closing it with
// ReasonPingTimeout if so. It covers a timer that fires late on a loaded machine: a request that
// arrives after the deadline finds the session gone, as it would with a punctual timer.
func (c *Conn) expired() bool {
	c.mu.Lock()
	exp := c.state == stateOpen && c.awaitPong && !time.Now().Before(c.due)
	c.mu.Unlock()
	if exp {
		c.closeWith(ReasonPingTimeout, nil, false)
	}
	return exp
}

// onPong handles a heartbeat answer.
func (c *Conn) onPong() {
	c.mu.Lock()
	if c.state == stateOpen && c.awaitPong {
		c.awaitPong = false
		c.resetTimerLocked(c.srv.cfg.PingInterval)
	}
	c.mu.Unlock()
}

// handlePacket processes one decoded inbound packet of the current transport. It reports false
// when the session was closed because of it.
func (c *Conn) handlePacket(p eioproto.Packet) bool {
	switch p.Type {
	case eioproto.Message:
		c.mu.Lock()
		open := c.state == stateOpen
		c.mu.Unlock()
		if open && c.onMessage != nil {
			c.onMessage(p.Data, p.Binary)
		}
	case eioproto.Pong:
		c.onPong()
	case eioproto.Ping:
		// In protocol v4 only the server pings.
		c.closeWith(ReasonTransportError, fmt.Errorf("invalid heartbeat direction"), false)
		return false
	case eioproto.Close:
		c.closeWith(ReasonTransportClose, nil, false)
		return false
	}
	// open, upgrade and noop packets are ignored on an established transport, as in Node.
	return true
}

// overflow closes the session because a Send would exceed its queue bound. The session is
// closing when overflow returns, so later sends fail with ErrClosed, but the rest of the
// close, which may call OnClose, runs on a goroutine of its own: OnClose must never run inside
// Send, whose caller may hold locks that the OnClose callback takes (a Socket.IO broadcast
// holds its namespace's while it sends to each member).
func (c *Conn) overflow() {
	if rest := c.startClose(ReasonSlowConsumer, ErrQueueFull, false); rest != nil {
		c.srv.wg.Add(1)
		go func() {
			defer c.srv.wg.Done()
			rest()
		}()
	}
}

// closeWith starts closing the session. With flush, queued packets are written first (a polling
// session waits for the next GET, up to 30s). It reports whether this call started the close.
func (c *Conn) closeWith(reason CloseReason, err error, flush bool) bool {
	rest := c.startClose(reason, err, flush)
	if rest == nil {
		return false
	}
	rest()
	return true
}

// startClose moves an open session to closing and returns what remains to be done without
// the lock (close the transports, maybe finish); nil if the session was not open.
func (c *Conn) startClose(reason CloseReason, err error, flush bool) (rest func()) {
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return nil
	}
	c.state = stateClosing
	c.reason, c.closeErr = reason, err
	c.timer.Stop()
	up := c.up
	c.up = nil
	if up != nil {
		up.timer.Stop()
	}
	finishNow := false
	var ws *wsconn.Conn
	if !flush {
		if b := c.takeLocked(); b != nil {
			putBatch(b)
		}
	}
	switch c.kind {
	case kindWebSocket:
		if flush && (c.q != nil || c.writing) {
			c.wakeLocked() // the writer closes the transport and finishes after draining
		} else {
			ws, finishNow = c.ws, true
		}
	case kindPolling:
		switch {
		case c.pollBusy:
			c.wakeLocked() // the pending GET answers and finishes
		case flush && c.srv.isOpen():
			c.resetTimerLocked(pollCloseTimeout) // the next GET answers and finishes
		case reason == ReasonTransportClose && c.srv.isOpen():
			// The client's GET may be racing with its close packet: let a GET that arrives
			// within closeGrace end cleanly with a noop.
			c.resetTimerLocked(closeGrace)
		default:
			finishNow = true
		}
	}
	c.mu.Unlock()
	return func() {
		if up != nil {
			_ = up.ws.Close(wsconn.StatusNormal, "")
		}
		if ws != nil {
			_ = ws.Close(wsconn.StatusNormal, "")
		}
		if finishNow {
			c.finish()
		}
	}
}

// fail closes the session without flushing because its transport broke (or the peer
// misbehaved). If a graceful close is already under way, the flush it waits for can no longer
// happen, so the session finishes now: waiting for a writer or a GET that will never come would
// hold Shutdown until its deadline.
func (c *Conn) fail(reason CloseReason, err error) {
	if c.closeWith(reason, err, false) {
		return
	}
	c.mu.Lock()
	closing := c.state == stateClosing
	c.mu.Unlock()
	if closing {
		c.finish()
	}
}

// finish completes the close: cancels the context, unregisters the session and calls OnClose,
// exactly once.
func (c *Conn) finish() {
	c.mu.Lock()
	if c.state == stateClosed {
		c.mu.Unlock()
		return
	}
	c.state = stateClosed
	c.timer.Stop()
	if b := c.takeLocked(); b != nil {
		putBatch(b)
	}
	ws := c.ws
	reason, err := c.reason, c.closeErr
	c.mu.Unlock()
	if ws != nil {
		_ = ws.CloseNow()
	}
	c.cancel()
	c.srv.remove(c)
	l := c.srv.log
	if l.Enabled(context.Background(), slog.LevelDebug) {
		l.LogAttrs(context.Background(), slog.LevelDebug, "engine.io session closed", slog.String("sid", c.id), slog.String("reason", string(reason)), slog.Any("err", err))
	}
	if fn := c.onClose; fn != nil {
		func() {
			defer c.recoverPanic("OnClose")
			fn(reason, err)
		}()
	}
	c.srv.wg.Done()
}

// recoverPanic logs a panic of a connection goroutine and closes the session.
func (c *Conn) recoverPanic(where string) {
	if v := recover(); v != nil {
		c.srv.log.LogAttrs(context.Background(), slog.LevelError, "engineio: panic recovered",
			slog.String("sid", c.id), slog.String("in", where), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
		c.fail(ReasonTransportError, fmt.Errorf("panic in %s: %v", where, v))
	}
}
