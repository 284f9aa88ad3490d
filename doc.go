// Package sockspec serves a Socket.IO API held to its AsyncAPI document: the
// document is the contract, and the running server checks every event, ack,
// emit, handshake and credential against it.
//
//	srv, err := sockspec.Load("asyncapi.yaml", sockspec.Config{})
//	chat.NewMessage.Handle(srv.Namespace("/"), onNewMessage) // a typed sockspec.Event
//	if err := srv.Start(); err != nil {                        // lists every unbound event at once
//		return err
//	}
//	http.ListenAndServe(":8080", srv)                          // srv is an http.Handler
//
// A [Server] serves the Socket.IO path of the selected server of the document
// (Config.Server; the first one by default), or Config.Path, and the docs
// page at {base}/docs with the document at {base}/docs/asyncapi.json and
// {base}/docs/asyncapi.yaml, base being the parent of the Socket.IO path
// ("/socket.io/" serves "/docs", "/api/socket.io/" serves "/api/docs").
// Internal extensions (x-handler, x-handlers, security function names) are
// not served (see package docs).
//
// # Handlers
//
// Declare an event once with its payload and ack types, and handle it:
//
//	var AddUser = sockspec.NewEvent[string, AddUserAck]("add user")
//	AddUser.Handle(srv.Namespace("/"), func(ctx context.Context, s *socketio.Socket, name string) (AddUserAck, error) { ... })
//
// [NoAck] stands for no ack (or no payload). An event with several arguments
// uses a struct that embeds [Tuple] as its first field. Raw handlers
// ([Namespace.On]) receive the validated socketio.Args. Handlers can also be
// registered under the names the document gives them, with
// [Server.HandleNamed]: an event's x-handler, and a namespace's x-handlers
// connect, disconnect and error (Asynction's extensions).
//
// [Server.Start] (or the first request) binds everything and fails, listing
// every problem at once, when an event the server receives has no handler, a
// handler has no event in the document, a name given to HandleNamed is not
// used, or a security scheme has no function. Config.Strictness can turn
// that into warnings.
//
// # Validation
//
// Everything is validated by default; Config.Validation turns each check off:
//
//   - incoming events: the number of arguments, then their values, against
//     the payload schema;
//   - emits, every one of them (sockspec's [Server.Emit], [Namespace.Emit],
//     [Event.Emit]... and direct socketio emits such as s.Emit or
//     s.Broadcast().Emit, see Emitting): an invalid or undocumented event
//     returns a *ValidationError and nothing is sent; each emit is validated
//     once, a broadcast too whatever the number of recipients;
//   - acks: the value a handler returns against the event's x-ack (or 3.x
//     reply), and the ack a client returns to any emit with ack (every
//     recipient's, for a broadcast): sockspec's [Server.EmitWithAck] and
//     [Server.BroadcastWithAck] and direct socketio ones such as
//     s.EmitWithAck (see Emitting);
//   - handshakes against the namespace's ws channel binding: query
//     parameters, converted to the types their schema names (integer,
//     number, boolean, and arrays of them from repeated parameters), headers
//     (matched in any case; only headers the schema names are checked), and
//     the method of the first HTTP request of the connection (Socket.IO
//     clients always use GET); Engine.IO's own parameters (EIO, transport,
//     t, sid) are left out unless the schema names them;
//   - the CONNECT auth payload against the namespace's x-auth schema (below);
//   - undocumented incoming events: rejected (the default) or dropped.
//
// The arity rule is the asyncapi package's: no payload means no argument; a
// payload schema of type array with prefixItems (items in draft-07) is a
// tuple, one argument per item, bounded by minItems and maxItems; any other
// payload is exactly one argument.
//
// A typed handler's payload is decoded once, after validation; a value the
// schema accepts but the Go type cannot hold (1e3 for an int field) is
// answered with an error ack of kind "decode".
//
// # Emitting
//
// Every emit is validated, exactly once. sockspec's own emits: [Server.Emit]
// and [Event.Emit] (to a *socketio.Socket, a *socketio.Namespace or a room
// selection such as s.Broadcast() or ns.SocketIO().To("room")),
// [Namespace.Emit] (every socket of the namespace), [Namespace.EmitTo] and
// [Event.EmitIn] (a target of a given namespace), [Server.EmitWithAck] and
// [Event.EmitWithAck], [Server.BroadcastWithAck] and [Event.BroadcastWithAck]
// (a room selection, waiting for every recipient's ack). Every emit, through these or made directly on socketio
// values inside handlers (s.Emit, s.Volatile().Emit, s.EmitWithAck,
// s.Broadcast().Emit, ns.SocketIO().To("room").Emit), is checked in one place:
// socketio's Config.OnEmit hook, which sockspec installs and which encodes the
// arguments once for both the check and the wire (a Config.SocketIO.OnEmit of
// yours runs after it, for valid emits only, and sees the encoded arguments).
// An invalid emit returns the *ValidationError wrapped (errors.As finds it)
// and sends nothing. A broadcast is validated once, whatever the number of
// recipients.
//
// The ack a client returns is checked in one place too: socketio's
// Config.OnAck hook, which sockspec installs and which runs on the goroutine
// waiting for the ack, before the caller sees it. So the acks of
// [Server.EmitWithAck], [Event.EmitWithAck] and direct s.EmitWithAck calls
// are all validated against the event's documented ack: an invalid ack is
// returned with a *ValidationError (Direction ClientToServer), wrapped. For
// a broadcast with ack ([Server.BroadcastWithAck], [Event.BroadcastWithAck],
// ns.SocketIO().To("room").EmitWithAck) each answer is validated: the
// invalid ones are left out of the result and their *ValidationErrors are
// joined with the broadcast's own error. A Config.SocketIO.OnAck of yours
// runs after sockspec's, for valid acks only. Config.Validation.SkipAcks
// turns the check off.
//
// # Performance
//
// Validation runs on each argument's JSON text as received (or as encoded
// once for an emit or ack), by a fast path that covers the common JSON Schema
// keywords without allocating; the full validator
// (github.com/santhosh-tekuri/jsonschema) runs only when the fast path finds
// the value invalid or cannot decide, and produces the error details. Schemas
// are compiled once, at Start.
//
// # The x-auth extension
//
// A channel (2.x channel item or 3.x channel) may have x-auth: a JSON Schema
// (2020-12 by default; $ref into the main file's components work) for the
// auth payload a client sends in its CONNECT packet (socket.io-client's
// "auth" option). A client whose payload does not match is refused like a
// bad handshake. A payload-less CONNECT is checked as {}.
//
//	channels:
//	  /admin:
//	    x-auth:
//	      type: object
//	      properties: {token: {type: string}}
//	      required: [token]
//
// # Errors on the wire
//
// When an incoming event fails (invalid, undocumented, or its handler
// returns an error or panics), the namespace's error hook runs
// ([Namespace.OnError] or x-handlers error; without one the error is logged)
// and, if the client asked for an ack, it gets this single argument:
//
//	{"error": {
//	  "code": "invalid_payload",          // see Code: invalid_payload, unknown_event, internal, forbidden...
//	  "message": "expected string, got number",
//	  "kind": "payload",                  // payload, arity, decode, unknown_event (validation errors only)
//	  "instancePath": "/0/username",      // JSON pointer into the argument list
//	  "schemaPath": "asyncapi.yaml#/components/messages/AddUser/payload/properties/username/type",
//	  "data": ...                         // an *Error's Data, when set
//	}}
//
// The message of an error that is not an [*Error] or a [*ValidationError]
// is never sent: the client sees {"code": "internal", "message":
// "internal error"} and the server logs the cause. A handler's ack that does
// not match the document is such an internal error. A client that asked for
// an ack always gets one; error acks are not validated against the ack
// schema. A handler error implementing socketio.ErrorAcker chooses its own
// ack arguments instead.
//
// A refused namespace connection is a CONNECT_ERROR whose data has the same
// shape as the "error" member above: {message: "invalid handshake: query
// /limit: expected integer, got string", data: {code: "invalid_handshake",
// kind: "query", instancePath: "/limit", ...}} for the handshake and auth
// payload, and {message: "unauthorized", data: {code: "unauthorized",
// message: "unauthorized"}} for security, which says nothing more.
//
// # Security
//
// The security requirements of a namespace are its x-security, or else the
// selected server's security. A client is admitted when one requirement
// (OR) has all its schemes (AND) satisfied. A scheme is checked by the
// [SecurityFunc] registered for it in Config.Security (or with HandleNamed
// under its x-…Func name), which receives the [Credentials] read from the
// handshake (http basic and bearer, httpApiKey in query, header or cookie,
// oauth2 and openIdConnect bearer tokens with the scopes asked for; a bearer
// token may also come as the auth payload's "token" string). The principal
// the function returns reaches the connect hook and every handler:
// [PrincipalFrom](ctx).
//
// # Concurrency
//
// Handlers of one socket run one at a time, in arrival order, on the socket's
// worker (see package socketio). A Server's methods are safe for concurrent
// use; registration happens before Start.
package sockspec
