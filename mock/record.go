package mock

import (
	"time"

	"github.com/sockspec/sockspec/socketio"
)

// Record describes one thing the mock saw or did, passed to Config.OnRecord.
type Record struct {
	// Time is when it happened.
	Time time.Time
	// Kind says what happened.
	Kind RecordKind
	// Namespace is the namespace, such as "/" or "/admin".
	Namespace string
	// Event is the event name; empty for connections.
	Event string
	// Socket is the client's socket; empty for an emit to the namespace.
	Socket socketio.SocketID
	// Args are the arguments: of the event or ack, decoded from JSON (binary
	// attachments as []byte); for RecordDisconnect, the reason.
	Args []any
	// Err is set when something went wrong: an invalid or undocumented event
	// (RecordReceive), an ack or payload the mock could not generate or send,
	// a client's ack that is invalid or did not come in time
	// (RecordClientAck).
	Err error
}

// RecordKind classifies a [Record].
type RecordKind uint8

// Record kinds.
const (
	RecordConnect    RecordKind = iota + 1 // a client joined the namespace
	RecordDisconnect                       // a client left the namespace
	RecordReceive                          // a client emitted an event
	RecordAck                              // the mock acked a client's event
	RecordEmit                             // the mock emitted a periodic event
	RecordClientAck                        // a client acked a periodic event
)

// String returns "connect", "disconnect", "receive", "ack", "emit" or
// "client-ack".
func (k RecordKind) String() string {
	switch k {
	case RecordConnect:
		return "connect"
	case RecordDisconnect:
		return "disconnect"
	case RecordReceive:
		return "receive"
	case RecordAck:
		return "ack"
	case RecordEmit:
		return "emit"
	case RecordClientAck:
		return "client-ack"
	}
	return "unknown"
}
