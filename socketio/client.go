package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// outMsg is one Engine.IO message payload.
type outMsg = engineMessage

// transport is the seam between a client and its Engine.IO session
// (engineio.Conn in production, a pipe in unit tests).
type transport interface {
	send(msgs []outMsg) error
	sendOne(m outMsg) error
	sendReply(m outMsg) error // an ack: may be written by the calling goroutine
	writable() bool
	close(reason DisconnectReason)
	request() *http.Request
	context() context.Context
	transport() string
}

// maxPendingConnects bounds the namespace connections one client may have
// in progress (middlewares running) at once.
const maxPendingConnects = 32

// client is one Engine.IO session and the sockets multiplexed on it.
type client struct {
	srv *Server
	tr  transport
	dec sioproto.Decoder // read loop only

	mu         sync.Mutex
	closed     bool
	socks      []*Socket // connecting and connected sockets
	pending    []string  // namespaces whose CONNECT is being processed
	connecting int       // connect goroutines running (lookup, middlewares)
	timer      *time.Timer
}

func (srv *Server) newClient(tr transport) *client {
	c := &client{srv: srv, tr: tr}
	c.dec.MaxAttachments = srv.cfg.MaxAttachments
	c.mu.Lock()
	c.timer = time.AfterFunc(srv.connectTimeout, c.onConnectTimeout)
	c.mu.Unlock()
	return c
}

func (c *client) onConnectTimeout() {
	c.mu.Lock()
	for _, s := range c.socks {
		if s.Connected() {
			c.mu.Unlock()
			return
		}
	}
	closed := c.closed
	c.mu.Unlock()
	if !closed {
		c.srv.debugConn("no namespace joined before the connect timeout", c)
		c.closeConn(ReasonForcedServerClose)
	}
}

func (c *client) find(nsp string) *Socket {
	for _, s := range c.socks {
		if s.ns.name == nsp {
			return s
		}
	}
	return nil
}

func (c *client) donePendingLocked(name string) {
	if i := slices.Index(c.pending, name); i >= 0 {
		c.pending = slices.Delete(c.pending, i, i+1)
	}
}

func (c *client) remove(s *Socket) {
	c.mu.Lock()
	if i := slices.Index(c.socks, s); i >= 0 {
		c.socks = slices.Delete(c.socks, i, i+1)
	}
	c.mu.Unlock()
}

// onMessage handles one Engine.IO message on the session's read goroutine.
// It decodes, settles acks and queues work; it never runs user code.
func (c *client) onMessage(data []byte, binary bool) {
	p, done, err := c.dec.Decode(data, binary)
	if err != nil {
		c.srv.debugConn("invalid packet", c, slog.Any(attrErr, err))
		c.closeConn(ReasonParseError)
		return
	}
	if !done {
		return
	}
	switch p.Type {
	case sioproto.Connect:
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		if c.find(p.Namespace) != nil || slices.Contains(c.pending, p.Namespace) {
			c.mu.Unlock()
			c.srv.debugConn("CONNECT for an already connected namespace", c, slog.String(attrNsp, p.Namespace))
			c.closeConn(ReasonForcedServerClose)
			return
		}
		if c.connecting >= maxPendingConnects {
			c.mu.Unlock()
			c.srv.logger.LogAttrs(c.tr.context(), slog.LevelWarn, "too many concurrent CONNECT packets, closing connection",
				slog.Int("limit", maxPendingConnects))
			c.closeConn(ReasonForcedServerClose)
			return
		}
		c.pending = append(c.pending, p.Namespace)
		c.connecting++
		c.mu.Unlock()
		auth := p.Data
		if auth == nil {
			auth = json.RawMessage("{}")
		}
		c.srv.wg.Add(1)
		go c.connect(p.Namespace, auth)
	case sioproto.ConnectError:
		c.srv.debugConn("CONNECT_ERROR from a client", c)
		c.closeConn(ReasonParseError)
	default:
		c.mu.Lock()
		s := c.find(p.Namespace)
		c.mu.Unlock()
		if s == nil {
			// Node closes the whole connection here; a packet racing a
			// server-side namespace disconnect is common enough that we only
			// drop it.
			c.srv.debugConn("packet for a namespace not joined", c, slog.String(attrNsp, p.Namespace), slog.String("type", p.Type.String()))
			return
		}
		switch p.Type {
		case sioproto.Disconnect:
			s.close(ReasonClientNamespaceDisconnect, false)
		case sioproto.Ack, sioproto.BinaryAck:
			s.settleAck(&p)
		case sioproto.Event, sioproto.BinaryEvent:
			if !s.enqueue(inbound{kind: itemEvent, hasID: p.HasID, id: p.ID, data: p.Data, atts: p.Attachments}) {
				c.srv.logger.LogAttrs(s.ctx, slog.LevelWarn, "inbound event queue full, closing connection",
					slog.String(attrSID, string(s.id)), slog.String(attrNsp, s.ns.name), slog.Int("limit", c.srv.maxPending))
				c.closeConn(ReasonForcedServerClose)
			} else if p.HasID {
				// The client waits for this event's ack. Yielding lets the handler run,
				// and its ack be written, before this goroutine goes back to the socket,
				// where the next read usually finds nothing and parks: on a busy core
				// the ack would otherwise wait behind that read. Events without an ack
				// do not yield, so the read loop keeps batching them (broadcasts).
				runtime.Gosched()
			}
		}
	}
}

// connect runs a namespace connection: namespace lookup (maybe dynamic),
// session recovery, middlewares, then the CONNECT answer.
func (c *client) connect(name string, auth json.RawMessage) {
	defer c.srv.wg.Done()
	defer func() {
		c.mu.Lock()
		c.connecting--
		c.mu.Unlock()
	}()
	ns := c.srv.lookup(name)
	if ns == nil {
		c.mu.Lock()
		c.donePendingLocked(name)
		c.mu.Unlock()
		c.srv.debugConn("CONNECT to an unknown namespace", c, slog.String(attrNsp, name))
		c.sendConnectError(name, "Invalid namespace", nil)
		return
	}
	s, sess := c.newSocket(ns, auth)

	c.mu.Lock()
	// The namespace moves from pending to socks atomically, so a new
	// CONNECT for it is refused until the socket is gone again.
	c.donePendingLocked(name)
	if c.closed {
		c.mu.Unlock()
		s.cancel()
		return
	}
	c.socks = append(c.socks, s)
	c.mu.Unlock()

	if sess == nil || !c.srv.recovery.SkipMiddlewares {
		if err := c.srv.runMiddlewares(s, ns); err != nil {
			s.close(ReasonServerNamespaceDisconnect, false)
			var ce *ConnectError
			if errors.As(err, &ce) {
				c.sendConnectError(name, ce.Message, ce.Data)
			} else {
				if !errors.Is(err, errPanic) {
					c.srv.logger.LogAttrs(s.ctx, slog.LevelWarn, "middleware error", slog.String(attrNsp, name), slog.Any(attrErr, err))
				}
				c.sendConnectError(name, "internal error", nil)
			}
			return
		}
	}
	payload := make([]byte, 0, 64)
	payload = append(payload, `{"sid":`...)
	payload = sioproto.AppendString(payload, string(s.id))
	if s.pid != "" {
		payload = append(payload, `,"pid":`...)
		payload = sioproto.AppendString(payload, s.pid)
	}
	payload = append(payload, '}')
	connectMsgs := encodeMessages(sioproto.Connect, name, 0, false, payload, nil)

	// Joining is atomic with respect to broadcasts, as in Node where the socket
	// joins its namespace and room and writes CONNECT in one tick: no broadcast
	// reaches the client before CONNECT, and every broadcast that starts after
	// the client could have seen CONNECT includes the socket. s.mu keeps a close
	// out (it marks the socket closed before removing it from rooms and the
	// namespace, so it cannot leave a closed socket behind). See the lock order
	// at Namespace.
	s.mu.Lock()
	if s.state != stateConnecting {
		s.mu.Unlock()
		return
	}
	s.state = stateConnected
	s.queue = append(s.queue, inbound{kind: itemConnect})
	s.running = true // reserved: the worker starts after CONNECT is queued
	if sess != nil && len(sess.Rooms) > 0 {
		// Restored rooms are joined while the socket is not yet in the
		// namespace: a broadcast to them resolves members through the
		// namespace (see forEachLocked), so it cannot reach the socket until
		// the step below makes it visible.
		ns.adapter.AddAll(s.id, sess.Rooms)
	}
	var missed []*EncodedPacket
	if sess != nil {
		missed = sess.MissedPackets
	}
	ns.admit(s, connectMsgs, missed)
	s.mu.Unlock()

	c.mu.Lock()
	timer := c.timer
	c.mu.Unlock()
	timer.Stop()
	// The connection handlers run on the worker, after CONNECT is queued (as in
	// Node, where they run after the CONNECT packet is written).
	s.startWorker()
}

func (c *client) newSocket(ns *Namespace, auth json.RawMessage) (*Socket, *Session) {
	var sess *Session
	if c.srv.recovery != nil {
		var a struct {
			PID    *string `json:"pid"`
			Offset *string `json:"offset"`
		}
		if json.Unmarshal(auth, &a) == nil && a.PID != nil && a.Offset != nil {
			if sa, ok := ns.adapter.(SessionAdapter); ok {
				var err error
				sess, err = sa.RestoreSession(c.tr.context(), *a.PID, *a.Offset)
				if err != nil {
					c.srv.logger.LogAttrs(c.tr.context(), slog.LevelWarn, "restore session", slog.String(attrNsp, ns.name), slog.Any(attrErr, err))
					sess = nil
				}
			}
		}
	}
	s := &Socket{ns: ns, cl: c, hs: newHandshake(c.tr.request(), auth, time.Now())}
	s.drainFn = s.drain
	s.ctx, s.cancel = context.WithCancel(c.tr.context())
	if sess != nil {
		s.id, s.pid, s.recovered = sess.SID, sess.PID, true
		if len(sess.Data) > 0 {
			s.data = sess.Data
		}
	} else {
		s.id = SocketID(newID())
		if c.srv.recovery != nil {
			s.pid = newID()
		}
	}
	return s, sess
}

func (c *client) sendConnectError(nsp, msg string, data any) {
	body := map[string]any{"message": msg}
	if data != nil {
		body["data"] = data
	}
	payload, _, err := sioproto.AppendValue(nil, body, nil)
	if err != nil {
		c.srv.logger.LogAttrs(c.tr.context(), slog.LevelWarn, "encode connect error data", slog.String(attrNsp, nsp), slog.Any(attrErr, err))
		payload, _, _ = sioproto.AppendValue(nil, map[string]any{"message": msg}, nil)
	}
	_ = c.tr.send(encodeMessages(sioproto.ConnectError, nsp, 0, false, payload, nil))
}

// onClose is called once when the Engine.IO session closes, with the reason
// of the first close: the one closeConn gave when this side closed first.
func (c *client) onClose(reason DisconnectReason) {
	c.mu.Lock()
	c.closed = true
	socks := slices.Clone(c.socks)
	timer := c.timer
	c.mu.Unlock()
	timer.Stop()
	for _, s := range socks {
		s.close(reason, false)
	}
}

// closeConn closes the session for reason, which the transport reports back
// to onClose (engineio's CloseWithReason and CloseNow keep the first close's
// reason).
func (c *client) closeConn(reason DisconnectReason) { c.tr.close(reason) }

// disconnectAll is Socket.Disconnect(true): every socket leaves with a
// DISCONNECT packet, then the session closes.
func (c *client) disconnectAll() {
	c.mu.Lock()
	socks := slices.Clone(c.socks)
	c.mu.Unlock()
	for _, s := range socks {
		s.close(ReasonServerNamespaceDisconnect, true)
	}
	c.closeConn(ReasonForcedServerClose)
}

// runMiddlewares runs the server's then the namespace's middlewares; a
// panic becomes errPanic (logged at Error).
func (srv *Server) runMiddlewares(s *Socket, ns *Namespace) (err error) {
	defer func() {
		if r := recover(); r != nil {
			srv.logger.LogAttrs(s.ctx, slog.LevelError, "panic in middleware", slog.String(attrNsp, ns.name),
				slog.Any(attrErr, r), slog.String("stack", string(debug.Stack())))
			err = errPanic
		}
	}()
	for _, mw := range *srv.mws.Load() {
		if err := mw(s.ctx, s.hs); err != nil {
			return err
		}
	}
	for _, mw := range ns.reg.Load().mws {
		if err := mw(s.ctx, s.hs); err != nil {
			return err
		}
	}
	return nil
}
