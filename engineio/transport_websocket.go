package engineio

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/sockspec/sockspec/internal/eioproto"
	"github.com/sockspec/sockspec/internal/wsconn"
)

// readLoop is the WebSocket transport's only long-lived goroutine.
func (c *Conn) readLoop(ws *wsconn.Conn) {
	defer c.srv.wg.Done()
	defer c.recoverPanic("read loop")
	c.readPackets(ws)
}

func (c *Conn) readPackets(ws *wsconn.Conn) {
	for {
		if err := ws.Wait(); err != nil { // parks idle connections on a shallow stack
			c.fail(ReasonTransportClose, err)
			return
		}
		data, bin, err := ws.ReadMessage()
		if err != nil {
			c.fail(readErrorReason(err), err)
			return
		}
		p, err := eioproto.DecodePacket(data, bin)
		if err != nil {
			c.closeWith(ReasonParseError, err, false)
			return
		}
		if !c.handlePacket(p) {
			return
		}
	}
}

func readErrorReason(err error) CloseReason {
	if errors.Is(err, wsconn.ErrMessageTooBig) || errors.Is(err, wsconn.ErrProtocol) {
		return ReasonTransportError
	}
	return ReasonTransportClose
}

// serveUpgrade accepts a WebSocket for an existing session and runs the upgrade: answer the
// "2probe" ping with "3probe", release the pending poll with a noop, and switch transports on
// the "5" upgrade packet. Anything else, or UpgradeTimeout, abandons the upgrade and leaves the
// session on polling.
func (s *Server) serveUpgrade(w http.ResponseWriter, r *http.Request, c *Conn) {
	ws, err := wsconn.Upgrade(w, r, nil, s.wsOpts)
	if err != nil {
		s.debug(r, c.id, "websocket upgrade failed")
		return
	}
	c.mu.Lock()
	if c.state != stateOpen || c.kind != kindPolling || c.up != nil || !s.cfg.allowUpgrades() {
		c.mu.Unlock()
		s.debug(r, c.id, "websocket for a session that is upgrading, upgraded or closed")
		_ = ws.Close(wsconn.StatusNormal, "")
		return
	}
	up := &upgrade{ws: ws}
	up.timer = time.AfterFunc(s.cfg.UpgradeTimeout, func() { c.abortUpgrade(up, "upgrade timeout") })
	c.up = up
	s.wg.Add(1)
	c.mu.Unlock()
	go c.upgradeLoop(up)
}

func (cfg *Config) allowUpgrades() bool { return !cfg.DisableUpgrades }

func (c *Conn) upgradeLoop(up *upgrade) {
	defer c.srv.wg.Done()
	defer c.recoverPanic("upgrade")
	for {
		data, bin, err := up.ws.ReadMessage()
		if err != nil {
			c.abortUpgrade(up, "transport closed")
			return
		}
		p, err := eioproto.DecodePacket(data, bin)
		switch {
		case err == nil && p.Type == eioproto.Ping && string(p.Data) == "probe":
			// Mark the probe before answering it, so that a GET the client sends after
			// seeing "3probe" finds the upgrade probed.
			c.mu.Lock()
			if c.up == up {
				up.probed = true
				if c.pollBusy {
					up.release = true
					c.wakeLocked()
				}
			}
			c.mu.Unlock()
			if err := up.ws.WriteMessage(false, []byte("3probe")); err != nil {
				c.abortUpgrade(up, "probe write failed")
				return
			}
		case err == nil && p.Type == eioproto.Upgrade:
			c.mu.Lock()
			if c.up != up || c.state != stateOpen {
				c.mu.Unlock()
				c.abortUpgrade(up, "session closed")
				return
			}
			up.timer.Stop()
			c.up = nil
			c.kind = kindWebSocket
			c.ws = up.ws
			if c.pollBusy && c.pollWake != nil {
				// Clients pause polling before they probe, so a GET still pending now
				// is answered as a transport mismatch (a poll after the upgrade).
				close(c.pollWake)
				c.pollWake = nil
			}
			if c.q != nil {
				c.wakeLocked() // flush what polling had not delivered
			}
			c.mu.Unlock()
			c.readPackets(up.ws)
			return
		default:
			c.abortUpgrade(up, "unexpected packet during upgrade")
			return
		}
	}
}

// abortUpgrade abandons an upgrade; the session stays on polling.
func (c *Conn) abortUpgrade(up *upgrade, why string) {
	c.mu.Lock()
	if c.up == up {
		c.up = nil
		up.timer.Stop()
	}
	completed := c.ws == up.ws // the upgrade won the race: up.ws is now the transport
	c.mu.Unlock()
	if completed {
		return
	}
	_ = up.ws.Close(wsconn.StatusNormal, "")
	if l := c.srv.log; l.Enabled(context.Background(), slog.LevelDebug) {
		l.LogAttrs(context.Background(), slog.LevelDebug, "engineio: upgrade abandoned", slog.String("sid", c.id), slog.String("why", why))
	}
}
