// Package socketio implements a Socket.IO protocol v5 server on top of
// package engineio (Engine.IO v4), compatible with the official
// socket.io-client 3.x/4.x. The protocol is specified at
// https://github.com/socketio/socket.io/blob/main/docs/socket.io-protocol/v5-current.md.
//
// A [Server] is an http.Handler:
//
//	srv, err := socketio.NewServer(socketio.Config{})
//	srv.Of("/").On("echo", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
//		return args.Values(), nil // the ack
//	})
//	http.Handle("/socket.io/", srv)
//	...
//	srv.Shutdown(ctx) // before the http.Server's Shutdown: WebSockets are hijacked
//
// # Namespaces
//
// [Server.Of] creates static namespaces ("/" exists from the start);
// [Server.OfMatch] creates namespaces on demand when a client connects to a
// name a matcher accepts. A CONNECT to any other namespace is answered with
// CONNECT_ERROR {"message":"Invalid namespace"}. The CONNECT packet's
// payload (the client's auth option) must be a JSON object; it is available
// as [Handshake].Auth together with the handshake request's headers, query,
// remote address and URL. Middlewares ([Server.Use], then [Namespace.Use])
// run before a socket joins; an error rejects it with CONNECT_ERROR
// {message, data} ([ConnectError]). A client that joins no namespace
// within Config.ConnectTimeout is disconnected.
//
// # Events and acks
//
// Handlers are registered per namespace ([Namespace.On], [Namespace.OnAny])
// or per socket ([Socket.On], typically from [Namespace.OnConnection]). A
// handler receives the event's arguments as [Args] (raw JSON, decoded on
// demand; binary attachments become []byte) and returns the ack's arguments:
// when the client asked for an acknowledgement the return value is sent as
// the ACK, and an error is sent as an error ack (see [ErrorAcker]). Emits
// take any number of arguments; a []byte anywhere in the arguments (top
// level, []any, map[string]any) is sent as a binary attachment, and
// json.RawMessage is sent verbatim. [Socket.EmitWithAck] waits for the
// client's ack until its ctx ends (use context.WithTimeout for an ack
// timeout). [BroadcastOperator.EmitWithAck] (and [Namespace.EmitWithAck])
// sends one event to a selection and collects every recipient's ack, like
// Node's io.to(room).timeout(ms).emitWithAck: the event is encoded once,
// with one ack id valid on every recipient (a socket numbers its own acks
// with even ids, broadcasts take odd ids from a namespace-wide counter), and
// the call returns the answers when all are in, or the answers so far and
// an error wrapping ctx.Err() at the deadline. Unlike Node, a recipient that
// disconnects does not leave the call waiting for its deadline (the error
// then wraps [ErrDisconnected]), and a volatile broadcast does not wait for
// the recipients it skipped. Acks for unknown ids, and late ones, are
// ignored (Debug log). Config.OnAck, when set, checks each ack on the
// goroutine of the EmitWithAck call (never on the read loop): a refused ack
// is returned with the hook's error, and a refused answer of a broadcast is
// left out, its error joined into the call's.
//
// # Rooms
//
// Every socket is in the room named by its id. [Socket.Join] and
// [Socket.Leave] manage the others. A socket joins its namespace and its
// room (and, when recovered, its previous rooms) at the moment its CONNECT
// answer is queued, as in Node: no broadcast reaches a client before its
// CONNECT, and once the client has CONNECT the socket is listed by
// [Namespace.Sockets] and reached by any broadcast issued from then on. The
// connection handlers run after that, on the socket's worker. [Namespace.To], In and Except build a
// [BroadcastOperator]; [Socket.To] and [Socket.Broadcast] exclude the
// sender. A broadcast is encoded once and the same bytes are queued on each
// recipient's connection; Volatile broadcasts skip recipients that cannot
// take them now. Rooms and broadcasts go through the namespace's [Adapter]
// (in memory by default, see [MemoryAdapter]); its names follow Node's
// socket.io-adapter so that a cluster adapter can plug in, with optional
// interfaces for connection state recovery ([SessionAdapter]), fetching
// sockets ([SocketFetcher]), broadcasts with ack ([AckBroadcaster], which
// reports to an [AckSink]; without it the namespace delivers to the local
// sockets itself) and server-side emits ([ServerSideEmitter],
// delivered to [Namespace.OnServerSideEmit] handlers through
// [Namespace.DeliverServerSideEmit]). Config.OnEmit sees every emit and
// broadcast before it is encoded, and Config.OnAck every ack a client
// returns to an emit with ack (each answer of a broadcast with ack) before
// the caller gets it, so a layer above can validate both directions.
//
// # Concurrency
//
// Each Engine.IO session has one read goroutine; it decodes packets,
// settles acks and queues events but never runs user code. Each socket has a
// worker that exists only while work is queued: it runs the connection
// handlers, then the event handlers one at a time in arrival order, then the
// disconnect callbacks. Workers run on the Server's pool of parked
// goroutines rather than a new goroutine each time (a parked goroutine keeps
// its grown stack); a pooled goroutine idle for 5s exits, and Shutdown and
// Close wait for them, so an idle socket owns no goroutine. A slow handler delays only its own
// socket, and a handler can call EmitWithAck on its own socket (the ack is
// settled by the read loop). Namespace lookups for dynamic namespaces and
// middlewares run on a short-lived goroutine per CONNECT. Emits never block:
// they queue encoded messages on the Engine.IO connection, whose queue is
// bounded (engineio.Config.MaxQueueBytes). No panic escapes a handler,
// middleware or callback: it is recovered, logged at Error and, for an
// event that asked for an ack, answered with an error ack.
//
// # Limits
//
// Malformed packets (see package internal/sioproto for what is checked)
// close the connection ("parse error", Debug log), as the Node server does.
// A client may have at most 32 namespace connections in progress
// (middlewares running) at once; more closes the connection (Warn log).
// A packet may carry at most Config.MaxAttachments binary attachments
// (default 10). At most Config.MaxPendingEvents events (default 256) wait
// for one socket's handlers; beyond that the connection is closed (Warn
// log). Payload size and the outbound queue are bounded by the Engine.IO
// configuration. A socket's maps (handlers, acks, data, rooms) are
// allocated only when used, to keep idle connections small.
//
// # Recovery
//
// With Config.Recovery set, connection state recovery follows socket.io
// v4.6: the CONNECT answer carries {"sid", "pid"}; every non-volatile
// broadcast and emit without ack (events asking for an ack are never
// replayed, as in Node) gets an offset appended as its last argument and
// is kept for RecoveryConfig.MaxDisconnectionDuration; when a
// socket disconnects for a transport reason its id, rooms and data are kept
// for that long. A client that reconnects with auth {"pid", "offset"}
// within the window gets the same socket id, rooms and data, the missed
// packets are replayed right after the CONNECT answer, and
// [Socket.Recovered] reports true. Otherwise it gets a new session.
//
// # Disconnection
//
// [DisconnectReason] values are Node's exact strings ("server namespace
// disconnect", "client namespace disconnect", "transport close", "ping
// timeout", "transport error", "server shutting down", "parse error",
// "forced close", "forced server close"). [Socket.OnDisconnect] callbacks
// run once per socket. [Server.Shutdown] disconnects every socket with
// "server shutting down" and waits for the handlers to return.
package socketio
