// Package eioproto implements the packet and payload encoding of the Engine.IO protocol,
// version 4 (https://github.com/socketio/socket.io/blob/main/docs/engine.io-protocol/v4-current.md).
//
// It is shared by the engineio server and the Go client, and does no I/O.
//
// # Packets
//
// An Engine.IO packet is a type ('0' open … '6' noop, an ASCII digit on the wire) and optional data.
// Over WebSocket a text frame carries the type character followed by the data, and a binary frame
// carries the raw data of a binary message packet (no type byte). Over HTTP long-polling several
// packets are joined with the record separator '\x1e' into one payload; a binary message becomes
// a record 'b' followed by the standard (padded) base64 encoding of its data.
//
// # Aliasing
//
// Decoded packets' Data aliases the input buffer, except for base64 binary records, which are
// decoded into a fresh slice. Callers that keep Data beyond the life of the input copy it.
//
// # Errors
//
// All decoding errors wrap [ErrInvalidPacket]; decoders never panic on any input.
package eioproto
