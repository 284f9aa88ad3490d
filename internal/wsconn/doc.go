// Package wsconn is sockspec's seam over the WebSocket library (github.com/gobwas/ws): a
// server-side upgrade, a client-side Dial, reading whole messages and writing batches of frames.
// No gobwas type appears in its API, so the library can be swapped by rewriting this package.
//
// # Why gobwas/ws
//
// Measured idle memory per connection at 10k connections: gobwas/ws 7.3 KB, lxzan/gws 8.5 KB,
// gorilla/websocket 9.8 KB, coder/websocket 17.4 KB. gobwas's low-level frame API lets a
// connection hold no buffers while idle: the read loop blocks on a read into a 128-byte buffer in the
// Conn itself (a small message arrives whole in that one read system call), and only when a
// frame arrives does it take a pooled bufio.Reader, which goes back to
// the pool as soon as the buffered bytes are consumed. Writes encode all frames of a batch into
// one pooled buffer and issue one write.
//
// # Concurrency
//
// One goroutine reads ([Conn.ReadMessage]); any number of goroutines may write and close
// concurrently (writes are serialised by a mutex; the reader answers pings and close frames
// itself under the same mutex).
//
// # Limits
//
// A message larger than the configured maximum makes the reader send a close frame with code
// 1009 (message too big) and return [ErrMessageTooBig]. Protocol violations (unmasked client
// frames, reserved bits or opcodes, bad fragmentation, oversized control frames) close with
// 1002, invalid UTF-8 in a text message with 1007. Permessage-deflate is not negotiated.
package wsconn
