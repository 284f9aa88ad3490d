package socketio

import (
	"errors"
)

// DisconnectReason says why a socket left its namespace. The values are
// socket.io's exact reason strings, so they can be compared with what a Node
// client or server reports. A DisconnectReason is also an error: a handler
// that returns one disconnects its socket with that reason.
type DisconnectReason string

// Disconnect reasons, as in the Node reference server.
const (
	ReasonServerNamespaceDisconnect DisconnectReason = "server namespace disconnect"
	ReasonClientNamespaceDisconnect DisconnectReason = "client namespace disconnect"
	ReasonTransportClose            DisconnectReason = "transport close"
	ReasonTransportError            DisconnectReason = "transport error"
	ReasonPingTimeout               DisconnectReason = "ping timeout"
	ReasonServerShuttingDown        DisconnectReason = "server shutting down"
	ReasonParseError                DisconnectReason = "parse error"
	ReasonForcedClose               DisconnectReason = "forced close"
	ReasonForcedServerClose         DisconnectReason = "forced server close"
)

// Error makes a DisconnectReason usable as a handler's error.
func (r DisconnectReason) Error() string { return "socketio: disconnect: " + string(r) }

// Recoverable reports whether a socket that left for this reason may resume
// its session with connection state recovery (the transport went away, as
// opposed to an explicit disconnect by either side).
func (r DisconnectReason) Recoverable() bool {
	switch r {
	case ReasonTransportError, ReasonTransportClose, ReasonForcedClose,
		ReasonPingTimeout, ReasonServerShuttingDown, ReasonForcedServerClose:
		return true
	}
	return false
}

// ConnectError rejects a namespace connection from a [Middleware]. The
// client receives a CONNECT_ERROR packet {"message": Message, "data": Data}.
// Only a ConnectError's text reaches the client: any other middleware error
// is sent as "internal error" and logged.
type ConnectError struct {
	Message string
	Data    any // marshalled with encoding/json; omitted when nil
}

// Error returns the message.
func (e *ConnectError) Error() string { return e.Message }

// ErrorAcker is implemented by handler errors that choose their own ack
// arguments. When a handler whose event asked for an ack returns an error,
// the ack carries AckArgs() if the error (or one it wraps) implements
// ErrorAcker, and otherwise the single argument
// {"error":{"message":"internal error"}} (the error is logged at Debug).
// A recovered panic produces the same generic error ack and an Error log.
type ErrorAcker interface {
	error
	AckArgs() []any
}

var (
	// ErrServerClosed is returned by the Server's methods after Shutdown or Close.
	ErrServerClosed = errors.New("socketio: server closed")
	// ErrDisconnected is returned by emits on a socket that has left its
	// namespace, including EmitWithAck calls still waiting for their ack.
	ErrDisconnected = errors.New("socketio: socket disconnected")
	// ErrReservedEvent is returned when emitting a reserved event name
	// ("connect", "connect_error", "disconnect", "disconnecting",
	// "newListener", "removeListener").
	ErrReservedEvent = errors.New("socketio: reserved event name")
)

// genericErrorAck is the ack sent for a failed handler.
func genericErrorAck() []any {
	return []any{map[string]any{"error": map[string]any{"message": "internal error"}}}
}

// errorAckArgs returns the ack arguments for a handler error.
func errorAckArgs(err error) []any {
	var ea ErrorAcker
	if errors.As(err, &ea) {
		return ea.AckArgs()
	}
	return genericErrorAck()
}
