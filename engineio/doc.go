// Package engineio implements the server side of the Engine.IO protocol, version 4
// (https://github.com/socketio/socket.io/blob/main/docs/engine.io-protocol/v4-current.md), the
// transport layer under Socket.IO.
//
// A [Server] is an http.Handler. Each client session is a [Conn]: the application receives it in
// Config.OnConnection, sets its OnMessage and OnClose callbacks there, and sends with
// [Conn.Send]. Pings, pongs, upgrades and the framing of both transports are handled inside.
//
//	srv, err := engineio.NewServer(engineio.Config{
//		Path: "/engine.io/",
//		OnConnection: func(c *engineio.Conn) {
//			c.OnMessage(func(data []byte, binary bool) {
//				_ = c.Send(engineio.Message{Data: data, Binary: binary})
//			})
//		},
//	})
//	http.Handle("/engine.io/", srv)
//
// # Transports
//
// HTTP long-polling: a GET with no sid is the handshake and returns the open packet
// ({"sid","upgrades","pingInterval","pingTimeout","maxPayload"}). Later GETs wait until packets
// are queued and return them joined by '\x1e' (binary messages as 'b' + base64). POSTs carry
// the client's packets the same way and are answered "ok". A second concurrent GET or POST
// closes the session (HTTP 400, reason "transport error"), as in Node.
//
// WebSocket: a direct connection (transport=websocket, no sid) receives the open packet as its
// first frame; a connection with the sid of a polling session upgrades it: "2probe" is answered
// with "3probe", a pending GET is released with a noop packet ("6"), and the "5" upgrade packet
// switches the session; messages queued meanwhile are then written on the WebSocket. Text frames
// carry the packet type and data; binary messages are binary frames of the raw bytes.
//
// The server sends a ping every PingInterval and closes the session ("ping timeout") when no
// pong arrives within PingTimeout.
//
// Errors are answered like the Node server: HTTP 400 (403 for code 4) with
// {"code":N,"message":"..."} and the codes 0 "Transport unknown", 1 "Session ID unknown",
// 2 "Bad handshake method", 3 "Bad request", 4 "Forbidden", 5 "Unsupported protocol version".
// A rejected WebSocket handshake gets Node's abortUpgrade answer: HTTP 400 with the message as
// text. New handshakes during Shutdown get HTTP 503.
//
// # Compression
//
// Like Node's httpCompression option (on by default, threshold 1024), a polling GET response of
// at least Config.HTTPCompressionThreshold bytes (zero means 1024) is compressed with gzip or
// deflate (the zlib format, as Node's zlib.createDeflate) when the request's Accept-Encoding
// allows it: q-values are honoured (q=0 refuses a coding, "*" stands for unlisted codings, an
// identity preferred over both is respected), ties go to gzip, and no header means no
// compression. Such responses carry Content-Encoding, the compressed Content-Length and
// "Vary: Accept-Encoding" (which Node omits). Binary messages travel as base64 in the text
// payload and are compressed with it. Config.HTTPCompressionLevel picks the compress/flate
// level (default 6, as Node; flate.BestSpeed is about 3x faster for ~15% larger bodies) and
// Config.DisableHTTPCompression turns it off. Compressors are pooled per coding and level, so a
// response does not allocate one. The handshake response and POST answers are not compressed,
// nor are WebSocket frames (no permessage-deflate; Node's default is off too). Net/http clients,
// including package client, ask for gzip and decompress transparently.
//
// # Limits
//
// MaxHTTPBufferSize (default 1e6 bytes, advertised as maxPayload) bounds a polling POST body
// (HTTP 413, the session stays open, as in Node) and a WebSocket message (close 1009 and reason
// "transport error"). Each connection's outbound queue is bounded by MaxQueueBytes (default
// 1 MiB); a Send beyond it returns [ErrQueueFull] and closes the session ("slow consumer").
// A malformed packet closes the session with "parse error".
//
// # Concurrency
//
// All Conn methods are safe for concurrent use, and Send never blocks. A WebSocket session owns
// one read goroutine; its writer runs only while packets are queued and writes all of them with
// one flush. Writers run on the Server's pool of parked worker goroutines rather than on a new
// goroutine each time (a parked worker keeps its grown stack); a worker idle for 5s exits, and
// Shutdown and Close stop the pool and wait for its workers. A polling session has no goroutine of its own: the pending GET drains the
// queue. Each session has a single timer (heartbeat, or the wait for the last GET of a closing
// polling session), plus a second one only during an upgrade. OnMessage is called from the read
// goroutine (or the POST handler), one message at a time and in order; OnClose is called exactly
// once. Panics in callbacks are recovered, logged at Error level, and close only their session.
// [Conn.Close] and [Conn.CloseWithReason] are idempotent and flush queued messages first;
// [Conn.CloseNow] drops them (a peer that sent garbage). A transport that fails while a graceful
// close is flushing ends the session at once, and [Server.Shutdown] does not wait for the last
// GET of a polling session that was already closing: neither holds Shutdown until its deadline.
package engineio
