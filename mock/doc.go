// Package mock serves a working fake of a Socket.IO API from its AsyncAPI
// document alone, so client teams can build against an API before it exists
// (Asynction's MockAsynctionSocketIO and "asynction mock run"; here
// "sockspec mock FILE").
//
//	doc, err := asyncapi.Load(ctx, "asyncapi.yaml", asyncapi.Config{})
//	m, err := mock.New(doc, mock.Config{Seed: 42, Interval: time.Second})
//	if err != nil {
//		return err // every unsatisfiable schema, with its file:line:col
//	}
//	defer m.Shutdown(ctx)
//	http.ListenAndServe("127.0.0.1:5000", m) // m is an http.Handler
//
// # Built on the framework
//
// A mock Server is a [sockspec.Server] with generated handlers, so it checks
// clients exactly as the real server would: handshake bindings (query,
// headers, method), the x-auth payload, security requirements, the arity and
// schema of every incoming event, undocumented events (error acks, see
// package sockspec), and its own emits and acks. Config.Validation turns
// checks off as for a real server.
//
// # What the mock does
//
//   - Every event the document says clients emit has a handler. When the
//     event has an ack (x-ack or a 3.x reply), the handler answers with
//     fake arguments generated from the ack's schema.
//   - Every event the document says clients listen to is emitted
//     periodically: each namespace emits its server→client events in turn,
//     one every Config.Interval (round-robin, like Asynction), to the
//     clients connected to it, with a fake payload. When the event has an
//     ack, each client is asked for it and the ack that comes back is
//     validated against the document (Config.AckTimeout bounds the wait);
//     a missing or invalid ack is logged at Warn and recorded.
//   - The docs page is served at {base}/docs, as by the framework.
//
// Config.OnRecord sees every connection, event and ack (the CLI's
// --verbose-events prints them).
//
// # Fake data
//
// Values come from package [github.com/sockspec/sockspec/mock/fake]: types,
// bounds, patterns, formats (with gofakeit realism), combinators and $ref
// (across files, through the document's resolution). Every value is validated
// against the document's compiled schema before it is sent.
//
// # Reproducibility
//
// Config.Seed seeds everything. Each event's payload stream, and each
// event's ack stream, has its own generator seeded from the seed and the
// namespace and event names, so the n-th value of an event does not depend on
// how other events interleave. A namespace's round-robin cursor only moves
// when a client is there to receive, so a client alone on a mock sees the
// same events with the same values, in the same order, on every run with the
// same seed.
//
// # Unsatisfiable schemas
//
// New prepares a generator for every schema it will generate for (the
// payloads of server→client events, the acks of client→server events) and
// refuses to start when one cannot be satisfied: contradictory bounds, enum
// values that fail the rest of the schema, forbidden required properties,
// patterns outside the supported subset, recursion without a base case. Every
// problem is reported at once, each a [*SchemaError] with its file:line:col
// and JSON pointer, never discovered at the first emit.
//
// # Security
//
// A security scheme without a function in Config.Security accepts any
// well-formed credential and refuses malformed ones with a CONNECT_ERROR
// saying why:
//
//   - http basic: a non-empty user name, no control characters;
//   - http bearer, oauth2, openIdConnect: an RFC 6750 token
//     ([A-Za-z0-9-._~+/]+ then optional "="), and, when the scheme's
//     bearerFormat is JWT, three base64url parts whose first two are JSON
//     objects (signatures are not checked); any scopes are granted;
//   - httpApiKey: a printable key without spaces.
//
// Absent credentials are refused by the framework ("unauthorized").
//
// # Command line
//
//	sockspec mock FILE [--host 127.0.0.1] [--port 5000] [--server NAME]
//	    [--interval 1s] [--seed N] [--no-validation]
//	    [--log-level debug|info|warn|error] [--log-format text|json]
//	    [--verbose-events]
//
// prints where it listens, the docs URL and the seed (a random one when
// --seed is absent, so any run can be replayed), then with --verbose-events
// one line per Record on stdout:
//
//	10:01:02.345 / receive "add user" ["alice"] sid=Xy1
//	10:01:02.345 / ack "add user" [{"error":null}] sid=Xy1
//	10:01:03.000 /admin emit "server metric" [{"name":"cpu","value":0.5}]
//
// --port 0 picks a free port. --no-validation turns every framework check
// off (undocumented events are dropped); security is still enforced.
// SIGINT or SIGTERM shuts the mock down cleanly (exit status 0). Logs go to
// stderr. "sockspec docs FILE -o DIR" writes the page the mock serves at
// {base}/docs as static files.
//
// # Concurrency and shutdown
//
// New starts one goroutine per namespace with server→client events, and one
// per pending client ack; Shutdown and Close stop them and wait. A Server's
// methods are safe for concurrent use.
package mock
