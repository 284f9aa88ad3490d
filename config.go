package sockspec

import (
	"log/slog"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/docs"
	"github.com/sockspec/sockspec/socketio"
)

// Config configures a [Server]. The zero value validates everything, checks
// handlers strictly, serves the docs and uses the document's first server.
type Config struct {
	// Server is the name of the document's server whose path (and security)
	// the server uses; empty means the first server of the document.
	Server string
	// Path overrides the Socket.IO (Engine.IO) request path, such as
	// "/api/socket.io/"; empty means the selected server's path, or
	// "/socket.io/" when the document has no server.
	Path string
	// Validation switches validation checks off one by one; the zero value
	// checks everything and rejects undocumented events.
	Validation Validation
	// Strictness says what Start does with events lacking a handler and
	// handlers lacking an event; the zero value (Strict) fails.
	Strictness Strictness
	// Security maps security scheme names (components.securitySchemes keys)
	// to the functions that check their credentials. Every scheme a
	// requirement of a served namespace uses needs one (Start fails
	// otherwise). A function can also be registered by the scheme's x-…Func
	// extension value with [Server.HandleNamed].
	Security map[string]SecurityFunc
	// SocketIO configures the Socket.IO server. Its Engine.Path is set from
	// Path or the document.
	SocketIO socketio.Config
	// Docs configures the documentation served at {base}/docs.
	Docs docs.Config
	// DisableDocs turns {base}/docs off.
	DisableDocs bool
	// Load bounds the loading of the document by [Load].
	Load asyncapi.Config
	// Logger receives Debug records for clients' invalid input, Warn records
	// for unchecked start-up problems and Error records for handler failures;
	// nil means slog.Default().
	Logger *slog.Logger
}

// Validation selects the checks a server makes. The zero value makes them
// all; each Skip field turns one off.
type Validation struct {
	// SkipIncoming skips checking incoming events (arguments against the
	// payload schema and the arity rule).
	SkipIncoming bool
	// SkipOutgoing skips checking emits: sockspec's own and those made directly
	// on socketio values.
	SkipOutgoing bool
	// SkipAcks skips checking acks, both those the server sends and those
	// clients send back to any emit with ack: sockspec's (Server.EmitWithAck,
	// Event.BroadcastWithAck, ...) and socketio's (s.EmitWithAck,
	// ns.SocketIO().To("room").EmitWithAck).
	SkipAcks bool
	// SkipHandshake skips checking handshakes against the ws bindings
	// (query, headers, method).
	SkipHandshake bool
	// SkipAuth skips checking the CONNECT auth payload against x-auth.
	SkipAuth bool
	// UnknownEvents says what happens to an event the namespace does not
	// document as sent by the client; the zero value is RejectUnknown.
	UnknownEvents UnknownEvents
}

// UnknownEvents is the policy for undocumented incoming events.
type UnknownEvents uint8

const (
	// RejectUnknown runs the error hook with a *ValidationError of kind
	// "unknown_event" and answers an ack request with an error ack.
	RejectUnknown UnknownEvents = iota
	// DropUnknown ignores the event (logged at Debug); an ack request gets
	// an ack with no arguments.
	DropUnknown
)

// Strictness says how Start treats a mismatch between handlers and document.
type Strictness uint8

const (
	// Strict makes Start fail on every event the server must receive that
	// has no handler, every handler whose event or name the document does
	// not have and every security scheme without a function.
	Strict Strictness = iota
	// WarnOnly logs those problems at Warn and starts. Events without a
	// handler are still validated, then acked with no arguments; a
	// security requirement using a scheme without a function is never
	// satisfied.
	WarnOnly
	// Lenient starts without checking.
	Lenient
)
