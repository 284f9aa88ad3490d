// Package client implements a Socket.IO client: the Socket.IO protocol v5 over Engine.IO v4
// (https://github.com/socketio/socket.io/tree/main/docs), compatible with the Node reference
// server (socket.io 4.x) and with package socketio.
//
// A program dials a namespace and gets a connected [Socket]:
//
//	s, err := client.Dial(ctx, "http://localhost:8080/", client.Config{Auth: map[string]any{"token": "t"}})
//	if err != nil {
//		return err // a *client.ConnectError when the server refused the namespace
//	}
//	defer s.Manager().Close()
//	s.On("chat message", func(ctx context.Context, args client.Args) []any {
//		var text string
//		_ = args.Unmarshal(0, &text)
//		return nil
//	})
//	ack, err := s.EmitWithAck(ctx, "join", "room-1") // a ctx deadline is the ack timeout
//
// # Transports
//
// By default the client connects with HTTP long-polling and then upgrades to WebSocket (probe,
// pause polling, upgrade packet), like socket.io-client. [Config].Transports selects WebSocket
// only or polling only. The client answers the server's pings, and closes the connection with
// [ReasonPingTimeout] when no ping arrives within pingInterval+pingTimeout.
//
// # Namespaces
//
// A [Manager] is one Engine.IO connection; [Manager.Socket] returns the Socket of a namespace,
// multiplexed on it. The connection opens when a Socket connects and closes when no Socket
// wants it any more. [Dial] is NewManager + Socket + Connect for the namespace in the URL.
//
// # Acks and binary
//
// [Socket.EmitWithAck] waits for the server's ack, bounded by ctx. A [Handler] acks an event
// the server emitted with an ack by returning the ack's arguments. A []byte argument (also
// inside []any and map[string]any) travels as a binary attachment; received attachments are
// []byte in [Args.Value] and unmarshal into []byte with [Args.Unmarshal].
//
// # Reconnection and recovery
//
// After the connection is lost (not after Disconnect, Manager.Close or a server-side
// disconnect) the Manager reconnects with exponential backoff and jitter (socket.io-client's
// defaults: 1s doubling to 5s, ±50%) and re-connects every Socket that was connected. When the
// server enables connection state recovery, each Socket keeps the session id and the offset of
// the last event (the server appends it as an extra last argument of every event) and sends
// them in its CONNECT payload; [Socket.Recovered] then reports whether the server restored the
// session, in which case the missed events are delivered before OnConnect runs.
//
// # Concurrency
//
// All methods are safe for concurrent use. The connection's reader goroutine never runs user
// code: each Socket runs its handlers one at a time, in arrival order, on a goroutine started
// when there is work, so a handler may call EmitWithAck on its own Socket. [Manager.Close]
// waits for the connection's goroutines, not for handlers already queued.
//
// # Limits
//
// Received WebSocket messages and polling bodies are limited to 64 MiB, binary packets to 10
// attachments (the Node parser's default).
//
// Outgoing packets wait in a queue while the transport is busy (a WebSocket write blocked by a
// server that does not read, a slow polling POST, an upgrade). [Config].MaxQueueBytes (1 MiB
// by default, as engineio's server-side bound) caps the bytes the connection holds for them,
// queued or being written: an Emit or EmitWithAck beyond it fails with a [*QueueFullError]
// (errors.Is [ErrQueueFull]) and sends nothing, and an ack returned by a handler is dropped
// with a warning log. The connection stays open, unlike the server, which closes a slow
// consumer: the backlog may be transient, closing would fail every pending ack of every
// namespace on the connection, and a server that is really gone is caught by the heartbeat.
// Protocol packets (pongs, CONNECT, DISCONNECT) are always queued, since the protocol bounds
// their number and refusing a pong would end the connection. A volatile emit
// ([Socket.Volatile]) is dropped while anything is queued, as socket.io-client drops it while
// its transport is not writable. Nothing is buffered while a Socket is disconnected or
// reconnecting: Emit returns [ErrNotConnected] (socket.io-client keeps such emits in an
// unbounded sendBuffer and sends them after reconnection).
package client
