package eioproto

import (
	"encoding/base64"
	"errors"
	"fmt"
)

// PacketType is the type of an Engine.IO packet, the ASCII digit that starts its text form.
type PacketType byte

// The Engine.IO v4 packet types.
const (
	Open    PacketType = '0' // handshake, server to client, data is the JSON handshake
	Close   PacketType = '1' // the transport can be closed
	Ping    PacketType = '2' // heartbeat (server to client) or upgrade probe (client to server, data "probe")
	Pong    PacketType = '3' // heartbeat answer or probe answer
	Message PacketType = '4' // application data
	Upgrade PacketType = '5' // completes a transport upgrade
	Noop    PacketType = '6' // releases a pending polling request during an upgrade
)

// Separator is the record separator between packets of a polling payload.
const Separator = '\x1e'

// binaryPrefix starts a base64 encoded binary message record.
const binaryPrefix = 'b'

// String returns the protocol name of the type ("open", "close", …), or "unknown".
func (t PacketType) String() string {
	switch t {
	case Open:
		return "open"
	case Close:
		return "close"
	case Ping:
		return "ping"
	case Pong:
		return "pong"
	case Message:
		return "message"
	case Upgrade:
		return "upgrade"
	case Noop:
		return "noop"
	}
	return "unknown"
}

// Valid reports whether t is one of the seven Engine.IO packet types.
func (t PacketType) Valid() bool { return t >= Open && t <= Noop }

// Packet is one Engine.IO packet.
type Packet struct {
	Type PacketType
	// Data is the payload after the type character (for a binary message, the raw bytes).
	// After decoding it may alias the decoded input (see the package documentation).
	Data []byte
	// Binary marks a binary message. It is only meaningful when Type is Message.
	Binary bool
}

// ErrInvalidPacket is wrapped by every decoding error.
var ErrInvalidPacket = errors.New("eioproto: invalid packet")

// AppendPacket appends the text form of p to dst and returns the extended slice: the type
// character followed by the data, or, for a binary message, 'b' followed by the standard base64
// encoding of the data. This is one polling record, and the content of a WebSocket text frame for
// a non-binary packet. (A binary message over WebSocket is sent as a binary frame of p.Data
// as is, without calling AppendPacket.)
func AppendPacket(dst []byte, p Packet) []byte {
	if p.Binary && p.Type == Message {
		dst = append(dst, binaryPrefix)
		return base64.StdEncoding.AppendEncode(dst, p.Data)
	}
	dst = append(dst, byte(p.Type))
	return append(dst, p.Data...)
}

// PacketLen returns len(AppendPacket(nil, p)) without encoding.
func PacketLen(p Packet) int {
	if p.Binary && p.Type == Message {
		return 1 + base64.StdEncoding.EncodedLen(len(p.Data))
	}
	return 1 + len(p.Data)
}

// DecodePacket decodes one WebSocket frame (or one polling record when binary is false).
// A binary frame is a binary message whose Data is the whole frame. A text frame starts with
// the type character; a text frame starting with 'b' is a base64 encoded binary message.
// Errors wrap [ErrInvalidPacket]. Data aliases frame except for base64 records.
func DecodePacket(frame []byte, binary bool) (Packet, error) {
	if binary {
		return Packet{Type: Message, Data: frame, Binary: true}, nil
	}
	if len(frame) == 0 {
		return Packet{}, fmt.Errorf("empty packet: %w", ErrInvalidPacket)
	}
	c := frame[0]
	if c == binaryPrefix {
		enc := base64.StdEncoding
		data := make([]byte, enc.DecodedLen(len(frame)-1))
		n, err := enc.Decode(data, frame[1:])
		if err != nil {
			return Packet{}, fmt.Errorf("base64 binary record: %w: %w", ErrInvalidPacket, err)
		}
		return Packet{Type: Message, Data: data[:n], Binary: true}, nil
	}
	t := PacketType(c)
	if !t.Valid() {
		return Packet{}, fmt.Errorf("unknown packet type %q: %w", c, ErrInvalidPacket)
	}
	return Packet{Type: t, Data: frame[1:]}, nil
}
