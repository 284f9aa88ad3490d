package sioproto

import (
	"encoding/json"
	"errors"
)

// PacketType is a Socket.IO packet type, 0 to 6 (one ASCII digit on the wire).
type PacketType byte

// The Socket.IO v5 packet types.
const (
	Connect      PacketType = 0
	Disconnect   PacketType = 1
	Event        PacketType = 2
	Ack          PacketType = 3
	ConnectError PacketType = 4
	BinaryEvent  PacketType = 5
	BinaryAck    PacketType = 6
)

var typeNames = [...]string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}

// String returns the protocol name of t, such as "BINARY_EVENT".
func (t PacketType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "UNKNOWN"
}

// Valid reports whether t is one of the seven packet types.
func (t PacketType) Valid() bool { return t <= BinaryAck }

// IsBinary reports whether t is BINARY_EVENT or BINARY_ACK.
func (t PacketType) IsBinary() bool { return t == BinaryEvent || t == BinaryAck }

// MaxID is the largest ack id accepted by the decoder (JavaScript's
// Number.MAX_SAFE_INTEGER).
const MaxID = 1<<53 - 1

// DefaultMaxAttachments is the attachment limit of a zero Decoder, as in the
// Node reference parser.
const DefaultMaxAttachments = 10

// Packet is one Socket.IO packet.
//
// Data is the JSON payload as on the wire, nil when the packet has none.
// For binary packets it contains placeholder objects whose num indexes
// Attachments. The encoder writes the attachment count of a binary type from
// len(Attachments).
type Packet struct {
	Type        PacketType
	Namespace   string // "/" for the main namespace; "" is encoded as "/"
	ID          uint64 // ack id, meaningful only when HasID
	HasID       bool
	Data        json.RawMessage
	Attachments [][]byte
}

// Decoding errors. The decoder returns them unwrapped, so errors.Is and ==
// both work.
var (
	ErrEmpty              = errors.New("sioproto: empty packet")
	ErrInvalidType        = errors.New("sioproto: invalid packet type")
	ErrInvalidAttachments = errors.New("sioproto: invalid attachment count")
	ErrTooManyAttachments = errors.New("sioproto: too many attachments")
	ErrInvalidNamespace   = errors.New("sioproto: invalid namespace")
	ErrInvalidID          = errors.New("sioproto: invalid ack id")
	ErrInvalidJSON        = errors.New("sioproto: invalid JSON payload")
	ErrInvalidPayload     = errors.New("sioproto: invalid payload for packet type")
	ErrUnexpectedBinary   = errors.New("sioproto: binary message without a pending binary packet")
	ErrUnexpectedText     = errors.New("sioproto: text message while attachments are pending")
)

// ReservedEvents are event names a peer may not send (they name local events
// of the Node implementation).
var reservedEvents = [...]string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// IsReservedEvent reports whether name is reserved by the protocol
// implementations ("connect", "connect_error", "disconnect", "disconnecting",
// "newListener", "removeListener") and so cannot be emitted.
func IsReservedEvent(name string) bool {
	for _, r := range reservedEvents {
		if r == name {
			return true
		}
	}
	return false
}
