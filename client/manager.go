package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/eioproto"
	"github.com/sockspec/sockspec/internal/sioproto"
)

// Manager is one Engine.IO connection to a server, multiplexing the namespace Sockets made
// with [Manager.Socket]. It opens the connection when a Socket connects, reconnects with
// backoff after the connection is lost (re-connecting every Socket that was connected), and
// closes the connection when no Socket wants it any more. All methods are safe for concurrent
// use. Close releases it.
type Manager struct {
	opts   *options
	ctx    context.Context // the Manager's lifetime, cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // engine goroutines and the reconnect loop

	mu            sync.Mutex
	eng           *engine
	opening       chan struct{} // closed when the dial in progress ends
	sockets       map[string]*Socket
	closed        bool
	reconnecting  bool
	skipReconnect bool
	bo            backoff
}

// NewManager returns a Manager for the server at rawURL (http, https, ws or wss; the path of
// the URL is ignored, its query is sent with every request). It does no I/O.
func NewManager(rawURL string, cfg Config) (*Manager, error) {
	o, _, err := newOptions(rawURL, cfg)
	if err != nil {
		return nil, err
	}
	return newManager(o), nil
}

func newManager(o *options) *Manager {
	m := &Manager{
		opts:    o,
		sockets: map[string]*Socket{},
		bo:      backoff{min: o.reconn.Delay, max: o.reconn.DelayMax, jitter: o.reconn.RandomizationFactor},
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	return m
}

// Dial connects to the namespace named by the path of rawURL ("/" when empty) with cfg.Auth,
// over a new Manager, and returns the connected Socket. It returns a [*ConnectError] when the
// server refuses the namespace, or ctx's error. Release everything with
// s.Manager().Close().
func Dial(ctx context.Context, rawURL string, cfg Config) (*Socket, error) {
	o, nsp, err := newOptions(rawURL, cfg)
	if err != nil {
		return nil, err
	}
	m := newManager(o)
	s := m.Socket(nsp, cfg.Auth)
	if err := s.Connect(ctx); err != nil {
		_ = m.Close()
		return nil, err
	}
	return s, nil
}

// Socket returns the Socket of namespace nsp ("/" when empty; a leading "/" is added), created
// disconnected with the CONNECT payload auth (a value encoding as a JSON object, or nil). A
// namespace has one Socket per Manager: later calls return the same Socket and ignore auth.
func (m *Manager) Socket(nsp string, auth any) *Socket {
	if nsp == "" || nsp[0] != '/' {
		nsp = "/" + nsp
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sockets[nsp]; ok {
		return s
	}
	s := &Socket{m: m, nsp: nsp, auth: auth, handlers: map[string]Handler{}, acks: map[uint64]chan ackResult{}}
	m.sockets[nsp] = s
	return s
}

// Transport returns the transport of the open connection, or "" when there is none.
func (m *Manager) Transport() Transport {
	m.mu.Lock()
	e := m.eng
	m.mu.Unlock()
	if e == nil {
		return ""
	}
	return e.transportName()
}

// Close closes the connection (sockets see [ReasonForcedClose]), stops reconnecting and waits
// for the Manager's goroutines. Handlers already queued still run, on their own goroutines.
// Later calls return nil; Connect returns [ErrClosed].
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	e := m.eng
	socks := m.socketList()
	m.mu.Unlock()
	m.cancel()
	if e != nil {
		e.close()
	}
	for _, s := range socks {
		s.deactivate(ErrClosed)
	}
	m.wg.Wait()
	if m.opts.ownClient {
		m.opts.httpClient.CloseIdleConnections()
	}
	return nil
}

func (m *Manager) socketList() []*Socket {
	l := make([]*Socket, 0, len(m.sockets))
	for _, s := range m.sockets {
		l = append(l, s)
	}
	return l
}

// open makes sure the connection is open, dialing it if needed, and sends CONNECT for every
// active Socket on a new connection.
func (m *Manager) open(ctx context.Context) (*engine, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, ErrClosed
		}
		if m.eng != nil {
			e := m.eng
			m.mu.Unlock()
			return e, nil
		}
		if ch := m.opening; ch != nil {
			m.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		m.opening = ch
		m.mu.Unlock()

		dctx, cancel := context.WithTimeout(ctx, m.opts.timeout)
		stop := context.AfterFunc(m.ctx, cancel)
		e, err := dialEngine(dctx, m.opts, m)
		stop()
		cancel()

		m.mu.Lock()
		m.opening = nil
		close(ch)
		if err == nil && m.closed {
			err = ErrClosed
			e.tr.close()
		}
		if err != nil {
			m.mu.Unlock()
			return nil, err
		}
		e.wg = &m.wg
		m.eng = e
		m.skipReconnect = false
		m.bo.reset()
		e.start()
		socks := m.socketList()
		m.mu.Unlock()
		for _, s := range socks {
			s.sendConnect(e)
		}
		return e, nil
	}
}

// onMessage decodes Socket.IO packets and routes them to their Socket.
func (m *Manager) onMessage(e *engine, data []byte, binary bool) {
	p, done, err := e.dec.Decode(data, binary)
	if err != nil {
		m.opts.logger.LogAttrs(m.ctx, slog.LevelDebug, "invalid packet from server", slog.String("sid", e.sid), slog.Any("err", err))
		e.fail(reasonParseError, err)
		return
	}
	if !done {
		return
	}
	m.mu.Lock()
	s := m.sockets[p.Namespace]
	m.mu.Unlock()
	if s == nil {
		m.opts.logger.LogAttrs(m.ctx, slog.LevelDebug, "packet for unknown namespace", slog.String("sid", e.sid), slog.String("nsp", p.Namespace))
		return
	}
	s.onPacket(e, &p)
}

// onClose handles the loss of the connection: sockets disconnect, then reconnection starts.
func (m *Manager) onClose(e *engine, reason string, err error) {
	m.mu.Lock()
	if m.eng != e {
		m.mu.Unlock()
		return
	}
	m.eng = nil
	socks := m.socketList()
	m.mu.Unlock()
	if err != nil {
		m.opts.logger.LogAttrs(m.ctx, slog.LevelDebug, "connection closed", slog.String("sid", e.sid), slog.String("reason", reason), slog.Any("err", err))
	}
	active := false
	for _, s := range socks {
		if s.onClose(e, DisconnectReason(reason)) {
			active = true
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !active || m.closed || m.skipReconnect || m.opts.reconn.Disable || m.reconnecting {
		return
	}
	m.reconnecting = true
	m.wg.Add(1)
	go m.reconnectLoop()
}

func (m *Manager) reconnectLoop() {
	defer m.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		m.mu.Lock()
		if m.closed || m.eng != nil || !m.anyActive() {
			m.reconnecting = false
			m.mu.Unlock()
			return
		}
		if n := m.opts.reconn.Attempts; n > 0 && m.bo.attempts >= n {
			m.reconnecting = false
			socks := m.socketList()
			m.mu.Unlock()
			m.opts.logger.LogAttrs(m.ctx, slog.LevelDebug, "reconnection failed", slog.Int("attempts", n))
			for _, s := range socks {
				s.deactivate(fmt.Errorf("client: reconnection failed after %d attempts", n))
			}
			return
		}
		d := m.bo.duration()
		m.mu.Unlock()
		t.Reset(d)
		select {
		case <-t.C:
		case <-m.ctx.Done():
			m.mu.Lock()
			m.reconnecting = false
			m.mu.Unlock()
			return
		}
		_, err := m.open(m.ctx)
		if err == nil || errors.Is(err, ErrClosed) {
			m.mu.Lock()
			m.reconnecting = false
			m.mu.Unlock()
			return
		}
		m.opts.logger.LogAttrs(m.ctx, slog.LevelDebug, "reconnection attempt failed", slog.Any("err", err))
	}
}

// anyActive reports whether a Socket wants the connection. m.mu must be held.
func (m *Manager) anyActive() bool {
	for _, s := range m.sockets {
		if s.isActive() {
			return true
		}
	}
	return false
}

// release closes the connection when no Socket is active any more (like socket.io-client).
func (m *Manager) release() {
	m.mu.Lock()
	if m.anyActive() || m.eng == nil {
		m.mu.Unlock()
		return
	}
	e := m.eng
	m.skipReconnect = true
	m.mu.Unlock()
	e.close()
}

// sendPacket encodes p as one text message plus its binary attachments, sent as one unit
// (all queued or none) according to class.
func sendPacket(e *engine, class sendClass, p *sioproto.Packet) error {
	text := sioproto.AppendPacket(nil, p)
	if len(p.Attachments) == 0 {
		return e.send(class, eioproto.Packet{Type: eioproto.Message, Data: text})
	}
	pkts := make([]eioproto.Packet, 0, 1+len(p.Attachments))
	pkts = append(pkts, eioproto.Packet{Type: eioproto.Message, Data: text})
	for _, a := range p.Attachments {
		pkts = append(pkts, eioproto.Packet{Type: eioproto.Message, Data: a, Binary: true})
	}
	return e.send(class, pkts...)
}
