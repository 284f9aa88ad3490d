package sockspec

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/sockspec/sockspec/asyncapi"
)

// ErrServerClosed is returned by a [Server]'s methods after Shutdown or Close.
var ErrServerClosed = errors.New("sockspec: server closed")

// Code classifies an error sent to a client, in an error ack or a
// CONNECT_ERROR. Its text form (String, MarshalText) is what goes on the wire.
type Code uint8

// Codes. The zero Code is CodeInternal.
const (
	// CodeInternal: the server failed; the message is generic and the cause is logged.
	CodeInternal Code = iota
	// CodeInvalidPayload: an event's arguments do not match the document
	// (schema, number of arguments, or a value the handler's Go type cannot hold).
	CodeInvalidPayload
	// CodeUnknownEvent: the event is not documented as sent by the client in this namespace.
	CodeUnknownEvent
	// CodeInvalidHandshake: the handshake (query, headers, method) or the auth
	// payload does not match the namespace's bindings or x-auth schema.
	CodeInvalidHandshake
	// CodeUnauthorized: no security requirement of the namespace is satisfied.
	CodeUnauthorized
	// CodeForbidden: the client is known but not allowed (for security funcs and handlers).
	CodeForbidden
)

var codeNames = [...]string{"internal", "invalid_payload", "unknown_event", "invalid_handshake", "unauthorized", "forbidden"}

// String returns the code's wire name, such as "invalid_payload".
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "internal"
}

// MarshalText encodes the code as its wire name.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Error is an error whose code and message are sent to the client. A handler
// or security function returns one to answer with its own message; any other
// error reaches the client as CodeInternal with the message "internal error"
// and is logged. Data, when not nil, is sent too (encoded with encoding/json).
type Error struct {
	Code    Code
	Message string
	Data    any
}

// NewError returns an *Error with code c and message msg.
func NewError(c Code, msg string) *Error { return &Error{Code: c, Message: msg} }

// Error returns "sockspec: <code>: <message>".
func (e *Error) Error() string { return "sockspec: " + e.Code.String() + ": " + e.Message }

// CodeOf returns the Code of err: that of the first *Error or
// *ValidationError in its chain, and CodeInternal otherwise (nil included).
func CodeOf(err error) Code {
	var ie *internalError
	if errors.As(err, &ie) {
		return CodeInternal
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Code()
	}
	return CodeInternal
}

// ValidationError reports data that does not match the AsyncAPI document: an
// event's or ack's arguments, a handshake or an auth payload, in either
// direction. It is returned by emits (the event is then not sent), passed to
// the namespace's error hook for incoming data, and described to the client in
// the error ack or CONNECT_ERROR (see the package documentation).
type ValidationError struct {
	// Namespace is the namespace, such as "/" or "/admin".
	Namespace string
	// Event is the event name; empty for handshake and auth errors.
	Event string
	// Direction says who sent the invalid data: [asyncapi.ClientToServer]
	// for incoming events, the client's acks, handshakes and auth payloads;
	// [asyncapi.ServerToClient] for emits and the server's acks.
	Direction asyncapi.Direction
	// Kind is what was checked: "payload" (an event's arguments against the
	// payload schema), "arity" (the number of arguments), "decode" (the Go
	// type could not hold a valid value), "ack" and "ack_arity" (an ack),
	// "unknown_event", "query", "headers", "method" or "auth".
	Kind string
	// InstancePath is the JSON pointer of the invalid value. For event and
	// ack arguments it starts with the argument index ("/0/username");
	// for a handshake it is the query parameter or header ("/token").
	InstancePath string
	// SchemaLocation is the failing schema keyword: the document file
	// (relative to the main file's directory) and a JSON pointer, such as
	// "asyncapi.yaml#/components/messages/AddUser/payload/type".
	SchemaLocation string
	// Message describes the problem for a person.
	Message string
}

// Error returns a one-line description with the namespace, event, kind and path.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("sockspec: invalid ")
	b.WriteString(e.Kind)
	b.WriteString(" (")
	b.WriteString(e.Direction.String())
	b.WriteString(") in namespace ")
	b.WriteString(e.Namespace)
	if e.Event != "" {
		b.WriteString(" event ")
		b.WriteString(quote(e.Event))
	}
	if e.InstancePath != "" {
		b.WriteString(" at ")
		b.WriteString(e.InstancePath)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.SchemaLocation != "" {
		b.WriteString(" (schema ")
		b.WriteString(e.SchemaLocation)
		b.WriteString(")")
	}
	return b.String()
}

// Code returns the wire code of the error: CodeUnknownEvent,
// CodeInvalidHandshake for handshake and auth kinds, CodeInvalidPayload otherwise.
func (e *ValidationError) Code() Code {
	switch e.Kind {
	case "unknown_event":
		return CodeUnknownEvent
	case "query", "headers", "method", "auth":
		return CodeInvalidHandshake
	}
	return CodeInvalidPayload
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// wireError is the "error" member of an error ack and the data of a
// CONNECT_ERROR. This is the one place the shape is defined; doc.go documents it.
type wireError struct {
	Code         Code   `json:"code"`
	Message      string `json:"message"`
	Kind         string `json:"kind,omitempty"`
	InstancePath string `json:"instancePath,omitempty"`
	SchemaPath   string `json:"schemaPath,omitempty"`
	Data         any    `json:"data,omitempty"`
}

type errorAck struct {
	Error wireError `json:"error"`
}

const internalMessage = "internal error"

// wireOf converts any error into what the client may see.
func wireOf(err error) wireError {
	var ie *internalError
	if errors.As(err, &ie) {
		return wireError{Code: CodeInternal, Message: internalMessage}
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return wireError{Code: ve.Code(), Message: ve.Message, Kind: ve.Kind, InstancePath: ve.InstancePath, SchemaPath: ve.SchemaLocation}
	}
	var e *Error
	if errors.As(err, &e) {
		return wireError{Code: e.Code, Message: e.Message, Data: e.Data}
	}
	return wireError{Code: CodeInternal, Message: internalMessage}
}

// errorAckArgs returns the arguments of the error ack for err, already
// encoded so that a Data value encoding/json rejects cannot lose the ack.
func errorAckArgs(err error) []any {
	w := wireOf(err)
	b, mErr := json.Marshal(errorAck{Error: w})
	if mErr != nil {
		w.Data = nil
		b, _ = json.Marshal(errorAck{Error: w})
	}
	return []any{json.RawMessage(b)}
}

// internalError marks a server-side failure whose cause (possibly a
// *ValidationError of the server's own ack) must not reach the client.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }
