// Package docs renders the human documentation of a Socket.IO API from its
// AsyncAPI document and serves it, with the document itself, over HTTP.
//
// The page is produced by our own html/template templates from the raw
// document (AsyncAPI 2.x with publish/subscribe channels, or 3.x with
// channels and operations): the info object, the servers with their
// Socket.IO path, every namespace with its events in both directions ("client
// emits" for 2.x publish / 3.x receive, "client listens" for 2.x subscribe /
// 3.x send), payload schemas drawn as trees with types, required fields,
// constraints and examples, acknowledgements (the x-ack extension, or a 3.x
// operation reply), the ws channel bindings of the handshake (query,
// headers, method), the CONNECT auth payload schema (sockspec's x-auth),
// security requirements and schemes, and message examples. When some event
// the client emits is acknowledged, the overview shows once the error
// acknowledgement a sockspec server sends instead when such an event fails
// ({"error": {code, message, kind, instancePath, schemaPath}}).
//
// # Offline
//
// The CSS and JavaScript are embedded with go:embed and served next to the
// page, so the docs work on a machine with no network. The official AsyncAPI
// React component is an option ([Config.ReactComponent]); when it cannot
// load, our page stays.
//
// # References
//
// Local references ("#/components/schemas/User") are resolved while
// rendering. A schema that refers to itself, directly or through others, is
// expanded once and its recursive use drawn as a link back ("recursive: see
// Node"); schema trees are also bounded in depth and size, so no document can
// make rendering hang. A pointer that crosses a Reference Object
// ("#/channels/chat/messages/x" where channels/chat is a $ref) is followed,
// as the loader follows it. References to other files are shown, never
// fetched: for a document split over several files, render the tree of
// asyncapi's Document.Bundle, in which every such reference has become a
// local one, so the page is complete and asyncapi.json self-contained.
//
// # Internal extensions
//
// Extensions that name server internals (x-handler, x-handlers and the
// security function names such as x-basicInfoFunc or x-scopeValidateFunc,
// see [IsInternal]) are stripped from the page, asyncapi.json and
// asyncapi.yaml unless [Config.IncludeInternal] is set.
//
// # Mounting
//
// A [Handler] serves paths relative to where it is mounted; the framework
// mounts it at [MountPath] of the Socket.IO path ("/socket.io" -> "/docs"):
//
//	h, err := docs.NewHandler(doc, docs.Config{})
//	mux.Handle("/docs", http.StripPrefix("/docs", h))
//	mux.Handle("/docs/", http.StripPrefix("/docs", h))
//
// [WriteStatic] writes the same page as static files (sockspec docs FILE -o DIR).
package docs
