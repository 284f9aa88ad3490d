package engineio

import (
	"errors"
	"net/http"
	"strconv"
)

// ErrorCode is an Engine.IO error code, sent as {"code":N,"message":"..."} with HTTP 400 (403
// for CodeForbidden).
type ErrorCode int

// The Engine.IO error codes, numbered as in the Node server.
const (
	CodeUnknownTransport           ErrorCode = 0 // "Transport unknown"
	CodeUnknownSID                 ErrorCode = 1 // "Session ID unknown"
	CodeBadHandshakeMethod         ErrorCode = 2 // "Bad handshake method"
	CodeBadRequest                 ErrorCode = 3 // "Bad request"
	CodeForbidden                  ErrorCode = 4 // "Forbidden"
	CodeUnsupportedProtocolVersion ErrorCode = 5 // "Unsupported protocol version"
)

// String returns the code's standard message, as the Node server words it.
func (c ErrorCode) String() string {
	switch c {
	case CodeUnknownTransport:
		return "Transport unknown"
	case CodeUnknownSID:
		return "Session ID unknown"
	case CodeBadHandshakeMethod:
		return "Bad handshake method"
	case CodeBadRequest:
		return "Bad request"
	case CodeForbidden:
		return "Forbidden"
	case CodeUnsupportedProtocolVersion:
		return "Unsupported protocol version"
	}
	return "Unknown error"
}

// WriteError answers r in the Engine.IO error format: HTTP 403 for CodeForbidden, else 400,
// with the JSON body {"code":N,"message":msg}. An empty msg means the code's standard message.
// Middleware in front of a Server uses it to reject requests the way clients expect.
func WriteError(w http.ResponseWriter, r *http.Request, code ErrorCode, msg string) {
	status := http.StatusBadRequest
	if code == CodeForbidden {
		status = http.StatusForbidden
	}
	writeJSONError(w, status, code, msg)
}

func writeJSONError(w http.ResponseWriter, status int, code ErrorCode, msg string) {
	if msg == "" {
		msg = code.String()
	}
	b := make([]byte, 0, 32+len(msg))
	b = append(b, `{"code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"message":`...)
	b = strconv.AppendQuote(b, msg)
	b = append(b, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// CloseReason says why a session closed. The constants are the Node engine.io reason strings.
type CloseReason string

// Close reasons.
const (
	ReasonTransportClose CloseReason = "transport close" // the peer closed the transport (or sent a close packet)
	ReasonTransportError CloseReason = "transport error" // a network error or a protocol violation of the transport
	ReasonPingTimeout    CloseReason = "ping timeout"    // no pong within PingTimeout
	ReasonParseError     CloseReason = "parse error"     // the peer sent an undecodable packet
	ReasonForcedClose    CloseReason = "forced close"    // Conn.Close was called
	// ReasonForcedServerClose is for Conn.CloseWithReason by a layer above that gives up on the
	// session (Socket.IO: no namespace joined in time, a protocol violation).
	ReasonForcedServerClose CloseReason = "forced server close"
	ReasonServerShutdown    CloseReason = "server shutting down"
	// ReasonSlowConsumer: the outbound queue exceeded MaxQueueBytes. (Node has no such limit;
	// the Socket.IO layer reports it as a transport error.)
	ReasonSlowConsumer CloseReason = "slow consumer"
)

// ErrClosed is returned by Send, SendBatch and Close after the session has closed.
var ErrClosed = errors.New("engineio: connection closed")

// ErrServerClosed is returned by Shutdown and Close once the server has been shut down.
var ErrServerClosed = errors.New("engineio: server closed")

// ErrQueueFull is returned by Send and SendBatch when the message would exceed MaxQueueBytes;
// the connection is then closed with ReasonSlowConsumer.
var ErrQueueFull = errors.New("engineio: outbound queue full")
