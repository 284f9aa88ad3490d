package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/sockspec/sockspec/internal/eioproto"
	"github.com/sockspec/sockspec/internal/wsconn"
)

// maxWSMessage bounds one received WebSocket message (a misbehaving server cannot make the
// client allocate without limit).
const maxWSMessage = 64 << 20

// webSocket is the WebSocket transport, over internal/wsconn.
type webSocket struct {
	conn *wsconn.Conn
}

func dialWebSocket(ctx context.Context, o *options, sid string) (*webSocket, error) {
	c, err := wsconn.Dial(ctx, o.engineURL(WebSocket, sid).String(), wsconn.DialOptions{
		Options: wsconn.Options{MaxMessageSize: maxWSMessage},
		Header:  o.header,
	})
	if err != nil {
		if serr := (*wsconn.StatusError)(nil); errors.As(err, &serr) {
			return nil, &HTTPError{StatusCode: serr.Status, Body: serr.Body}
		}
		return nil, fmt.Errorf("websocket: %w", err)
	}
	return &webSocket{conn: c}, nil
}

func (w *webSocket) name() Transport { return WebSocket }

func (w *webSocket) readMessage() ([]byte, bool, error) { return w.conn.ReadMessage() }

// write sends each packet as one frame (a binary message as a binary frame of its data), all
// in one write.
func (w *webSocket) write(_ context.Context, pkts []eioproto.Packet) error {
	frames := make([]wsconn.Frame, len(pkts))
	for i, p := range pkts {
		if p.Binary && p.Type == eioproto.Message {
			frames[i] = wsconn.Frame{Binary: true, Data: p.Data}
			continue
		}
		frames[i] = wsconn.Frame{Prefix: typePrefix[p.Type-eioproto.Open : p.Type-eioproto.Open+1], Data: p.Data}
	}
	if err := w.conn.WriteFrames(frames); err != nil {
		return fmt.Errorf("websocket write: %w", err)
	}
	return nil
}

// typePrefix holds the type characters of the Engine.IO packets, '0' to '6'.
var typePrefix = []byte("0123456")

func (w *webSocket) run(e *engine) {
	for {
		data, binary, err := w.conn.ReadMessage()
		if err != nil {
			if e.ctx.Err() == nil {
				e.fail(reasonTransportClose, err)
			}
			return
		}
		p, err := eioproto.DecodePacket(data, binary)
		if err != nil {
			e.fail(reasonParseError, err)
			return
		}
		if !e.onPacket(p) {
			return
		}
	}
}

// close sends a close frame (best effort, bounded) and closes the connection. Idempotent.
func (w *webSocket) close() { _ = w.conn.Close(1000, "") }
