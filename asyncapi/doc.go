// Package asyncapi loads, resolves, lints and models AsyncAPI documents
// (versions 2.0.0 to 2.6.0 and 3.0.0 to 3.1.0) that describe Socket.IO APIs.
//
// [Load] (or [Parse]) reads YAML or JSON, keeps the line and column of every
// value, resolves $ref (local JSON pointers, recursive schemas, other files
// relative to the document such as "common.yaml#/components/schemas/User"),
// validates the document against the official AsyncAPI JSON Schema of its
// version, runs sockspec's semantic rules, compiles every schema with
// github.com/santhosh-tekuri/jsonschema/v6 and returns a [Document]: the
// version-independent model the rest of sockspec (framework, mock server,
// docs) consumes. Problems are [Finding] values with a severity, a
// file:line:column, a JSON pointer, a message and often a hint; a document
// with at least one error finding comes back with an [*InvalidError].
//
// # Model
//
// A Socket.IO namespace is a 2.x channel key or a 3.x channel address
// ("/", "/admin"). Its events come from 2.x publish (client emits:
// [ClientToServer]) and subscribe (client listens: [ServerToClient])
// operations, or 3.x operations with action receive ([ClientToServer]) and
// send ([ServerToClient]). An event's name is the message name, else its
// messageId, else its component or channel-message key (with a warning).
// The namespace's ws channel binding gives the handshake query and headers
// schemas; x-handlers (connect, disconnect, error) and x-security
// (Asynction's extensions) are read. A channel's x-security sets
// [Namespace.Security] with [Namespace.OwnSecurity] true (an empty list
// means "no security"); without it, Security is the first server's that has
// any and OwnSecurity is false, so a program serving one chosen server uses
// that server's Security instead. sockspec's own x-auth extension, a JSON
// Schema of the CONNECT auth payload, is compiled like payloads (so $ref
// into components and other files work) as [Namespace.Auth]; it must be a
// schema of type object (error finding "auth-not-object" otherwise).
//
// # Acknowledgements
//
// An event's [Ack] comes from Asynction's x-ack: {args: schema}, from
// sio-asyncapi's bare x-ack: schema, or from a 3.x operation reply. The ack
// is sent by the event's receiver: on a receive operation the server acks the
// client, on a send operation the client acks the server.
//
// # Arity: how many Socket.IO arguments
//
// Socket.IO events carry zero or more arguments; AsyncAPI describes one
// payload. sockspec reads a payload (and an ack schema) with one rule:
//
//   - no payload: no arguments ([ArityNone]);
//   - a payload with type: array and prefixItems: several arguments, one per
//     prefixItems entry ([ArityTuple]); minItems makes trailing arguments
//     optional (default: all prefixItems are required), items: false (or
//     maxItems) forbids extra arguments, otherwise extra arguments are
//     allowed as JSON Schema allows extra array items;
//   - any other payload: exactly one argument ([ArityOne]), and that
//     includes type: array with items, which is one argument that is an array.
//
// With schemaFormat draft-07 (or draft-04) the tuple form is items: [...]
// with additionalItems. Examples:
//
//	payload: {type: string}                  # emit("new message", "hi")
//	payload: {type: array, items: {type: string}}        # emit("tags", ["a", "b"])
//	payload:                                 # emit("move", 3, 4)
//	  type: array
//	  prefixItems: [{type: integer}, {type: integer}]
//	  items: false
//	(no payload)                             # emit("typing")
//
// The chat document of the Socket.IO blog post thus means what its author
// meant: "typing" has no argument, "new message" one string.
//
// # Schemas
//
// Schemas are compiled against the whole document, so $ref into components
// and recursive schemas work without expansion. The default dialect is JSON
// Schema 2020-12 (for prefixItems); a schema's $schema, or a message's
// schemaFormat (application/vnd.aai.asyncapi[+json|+yaml];version=...,
// application/schema+json|+yaml;version=draft-07, draft-04, 2019-09,
// 2020-12) selects another. Other formats (Avro, Protobuf, RAML...) give an
// "unsupported-schema-format" error at the schemaFormat. [Schema.Raw] keeps
// the schema as written; [Document.ResolveRef] resolves its $ref for tools
// that walk schemas (the mock's fake data generator).
//
// # Limits
//
// [Config] bounds file size, nesting depth, values after YAML alias
// expansion, followed $ref and referenced files. Reference cycles are
// reported, never followed forever; YAML or compiler panics are recovered
// into findings. The loader is fuzzed (FuzzAsyncAPIDocument).
//
// # Bundling
//
// [Document.Raw] is the main file only. [Document.Bundle] returns one
// self-contained tree instead, for readers that cannot follow a $ref to
// another file (the docs page, a browser fetching asyncapi.json): the
// targets in other files are moved under components (schemas, messages...)
// with collision-free names and their $ref rewritten to "#/components/...",
// so recursive schemas across files still work; see its documentation.
//
// # Conversion
//
// [Convert] rewrites a 2.x document as 3.0.0; see its documentation.
package asyncapi
