// Package sioproto implements the Socket.IO protocol v5 packet codec, shared by
// the server (package socketio) and the Go client.
//
// The format is described in
// https://github.com/socketio/socket.io/blob/main/docs/socket.io-protocol/v5-current.md:
//
//	<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
// followed, for BINARY_EVENT and BINARY_ACK, by one binary Engine.IO message
// per attachment. Each encoded packet travels as the payload of one Engine.IO
// "message" packet.
//
// # Packets
//
// [Packet] holds the header fields and the JSON payload exactly as it is on the
// wire (json.RawMessage, with binary attachments left as
// {"_placeholder":true,"num":i} objects) plus the attachments themselves.
// Namespace is never empty after decoding: the main namespace is "/".
//
// # Encoding
//
// [AppendPacket] appends the text part of a packet (the first Engine.IO
// message); the attachments, if any, are sent after it as binary messages, in
// order. [AppendValue] appends the JSON encoding of a Go value in which every
// []byte is replaced by a placeholder and collected as an attachment, so an
// event is built as:
//
//	data, atts, err := sioproto.AppendValue(nil, []any{"event", arg1, arg2}, nil)
//	typ := sioproto.Event
//	if len(atts) > 0 { typ = sioproto.BinaryEvent }
//	text := sioproto.AppendPacket(nil, &sioproto.Packet{Type: typ, Namespace: "/", Data: data, Attachments: atts})
//	// send text as a text message, then each of atts as a binary message
//
// # Decoding
//
// A [Decoder] is stateful and belongs to one connection: feed it every
// Engine.IO message in arrival order with [Decoder.Decode]. It returns a
// complete packet once the text part and all announced attachments have
// arrived. Errors are sentinel values ([ErrInvalidType], [ErrInvalidNamespace],
// [ErrInvalidID], [ErrInvalidJSON], [ErrInvalidPayload],
// [ErrInvalidAttachments], [ErrTooManyAttachments], [ErrUnexpectedBinary],
// [ErrUnexpectedText], [ErrEmpty]) to be compared with errors.Is. After an
// error the decoder is reset; a connection that sent one should be closed.
//
// The decoder validates what the Node reference parser validates: the packet
// type, the attachment count (at most Decoder.MaxAttachments, default 10),
// the ack id (decimal, at most 2^53-1, required for ACK and BINARY_ACK),
// that the payload is valid JSON of the right shape for the type (CONNECT: an
// object or nothing; DISCONNECT: nothing; EVENT: a non-empty array whose first
// element is a number or a non-reserved string; ACK: an array; CONNECT_ERROR:
// an object or a string), and that every placeholder of a binary packet refers
// to a received attachment.
//
// Decoded Data and Attachments alias the decoder's input buffers: they stay
// valid as long as the caller keeps those buffers unmodified.
//
// [SplitArray] slices a JSON array payload into its elements without copying
// (an EVENT's name and arguments), [EventName] reads the event name, and
// [Placeholder] recognises a placeholder object.
package sioproto
