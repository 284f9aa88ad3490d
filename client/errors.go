package client

import (
	"encoding/json"
	"errors"
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
)

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
