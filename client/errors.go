package client

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Sentinel errors.
var (
	// ErrNotConnected is returned by Emit and EmitWithAck on a Socket that is not connected.
	ErrNotConnected = errors.New("client: socket not connected")
	// ErrDisconnected is returned by EmitWithAck and Connect when the socket disconnects (or
	// the connection is lost) before the answer arrives.
	ErrDisconnected = errors.New("client: socket disconnected")
	// ErrClosed is returned after [Manager.Close].
	ErrClosed = errors.New("client: manager closed")
	// ErrQueueFull is matched (errors.Is) by the [*QueueFullError] of an Emit or
	// EmitWithAck that would take the connection's outgoing packets over
	// [Config].MaxQueueBytes. The event was not sent and the connection stays open.
	ErrQueueFull = errors.New("client: outgoing queue full")
)

// QueueFullError is the error of an Emit or EmitWithAck refused because the connection
// already holds Queued bytes of outgoing packets (queued, or being written to a server that
// does not read them fast enough) and Size more would exceed Limit ([Config].MaxQueueBytes).
// Nothing was sent. Unlike a server, which closes a slow consumer, the client keeps the
// connection: the backlog may be transient (a slow polling POST, a burst), closing would fail
// every pending ack on every namespace of the connection, and a server that is really gone is
// detected by the heartbeat anyway. The caller decides: retry later, drop, or disconnect.
type QueueFullError struct {
	Queued int // bytes held for outgoing packets when the emit was refused
	Size   int // bytes of the refused packet (its data, attachments included, plus one each)
	Limit  int // Config.MaxQueueBytes
}

// Error returns "client: outgoing queue full: <queued> bytes queued, <size> more exceeds <limit>".
func (e *QueueFullError) Error() string {
	return ErrQueueFull.Error() + ": " + strconv.Itoa(e.Queued) + " bytes queued, " + strconv.Itoa(e.Size) +
		" more exceeds " + strconv.Itoa(e.Limit)
}

// Unwrap returns [ErrQueueFull].
func (e *QueueFullError) Unwrap() error { return ErrQueueFull }

// ConnectError is the server's refusal of a namespace connection (a CONNECT_ERROR packet):
// an unknown namespace ("Invalid namespace") or a middleware's error, with its data.
type ConnectError struct {
	// Namespace is the namespace that refused the connection.
	Namespace string
	// Message is the error message sent by the server.
	Message string
	// Data is the error's optional data as JSON (nil when absent).
	Data json.RawMessage
}

// Error returns "client: connect <namespace>: <message>".
func (e *ConnectError) Error() string {
	return "client: connect " + e.Namespace + ": " + e.Message
}

// DisconnectReason says why a Socket disconnected. The values are socket.io-client's.
type DisconnectReason string

// Disconnect reasons.
const (
	// ReasonServerDisconnect: the server disconnected the socket; it does not reconnect.
	ReasonServerDisconnect DisconnectReason = "io server disconnect"
	// ReasonClientDisconnect: [Socket.Disconnect] was called.
	ReasonClientDisconnect DisconnectReason = "io client disconnect"
	// ReasonForcedClose: [Manager.Close] was called.
	ReasonForcedClose DisconnectReason = reasonForcedClose
	// ReasonPingTimeout: the server sent no ping within pingInterval+pingTimeout.
	ReasonPingTimeout DisconnectReason = reasonPingTimeout
	// ReasonTransportClose: the server closed the connection.
	ReasonTransportClose DisconnectReason = reasonTransportClose
	// ReasonTransportError: the connection failed (network error, HTTP error).
	ReasonTransportError DisconnectReason = reasonTransportError
	// ReasonParseError: the server sent a packet the client cannot decode.
	ReasonParseError DisconnectReason = reasonParseError
)
