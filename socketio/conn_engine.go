package socketio

import (
	"context"
	"net/http"

	"github.com/sockspec/sockspec/engineio"
)

// engineMessage is the Engine.IO message type, so encoded packets are
// handed to engineio without conversion.
type engineMessage = engineio.Message

// engineTransport adapts an engineio.Conn to the client's transport seam.
type engineTransport struct{ c *engineio.Conn }

func (t engineTransport) send(msgs []outMsg) error {
	if len(msgs) == 1 {
		return t.c.Send(msgs[0])
	}
	return t.c.SendBatch(msgs)
}
func (t engineTransport) sendOne(m outMsg) error   { return t.c.Send(m) }
func (t engineTransport) sendReply(m outMsg) error { return t.c.SendReply(m) }
func (t engineTransport) writable() bool           { return t.c.Writable() }
func (t engineTransport) request() *http.Request   { return t.c.Request() }
func (t engineTransport) context() context.Context { return t.c.Context() }
func (t engineTransport) transport() string        { return t.c.Transport() }

// close closes the session with the engine-level reason: "parse error" at once (as Node
// does after an undecodable packet), anything else after flushing.
func (t engineTransport) close(reason DisconnectReason) {
	if reason == ReasonParseError {
		_ = t.c.CloseNow(engineio.ReasonParseError)
		return
	}
	_ = t.c.CloseWithReason(engineio.CloseReason(reason))
}

func (srv *Server) onEngineConn(conn *engineio.Conn) {
	c := srv.newClient(engineTransport{conn})
	conn.OnMessage(c.onMessage)
	conn.OnClose(func(reason engineio.CloseReason, _ error) {
		// Never called inside a Send (engineio runs a queue-overflow close on its own
		// goroutine), so a broadcast or a join sending under the namespace's locks
		// cannot deadlock with the sockets' close.
		c.onClose(DisconnectReason(reason))
	})
}
