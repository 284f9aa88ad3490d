package socketio

import (
	"context"
	"errors"
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
	conn.OnClose(func(reason engineio.CloseReason, err error) {
		if errors.Is(err, engineio.ErrQueueFull) {
			// A full queue is detected inside Send, and the engine may report
			// the close from there, on the sender's goroutine: a broadcast
			// holding the adapter's and namespace's read locks, or a join
			// holding Socket.mu and Namespace.mu. Closing the sockets takes
			// those locks, so it runs on its own goroutine.
			srv.wg.Add(1)
			go func() {
				defer srv.wg.Done()
				c.onClose(DisconnectReason(reason))
			}()
			return
		}
		c.onClose(DisconnectReason(reason))
	})
}
