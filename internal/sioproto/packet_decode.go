package sioproto

import (
	"encoding/json"
	"unicode/utf8"
)

// Decoder decodes the Socket.IO packets of one connection. It is stateful
// (a binary packet spans several messages) and not safe for concurrent use.
// The zero value is ready to use.
type Decoder struct {
	// MaxAttachments bounds the attachment count of one binary packet;
	// zero means DefaultMaxAttachments.
	MaxAttachments int

	pending Packet
	want    int // attachments still expected; 0 when no packet is pending
	lastNsp string
}

// Pending reports whether the decoder is waiting for binary attachments.
func (d *Decoder) Pending() bool { return d.want > 0 }

// Reset drops a partially received binary packet.
func (d *Decoder) Reset() {
	d.pending = Packet{}
	d.want = 0
}

// Decode feeds one Engine.IO message payload (binary tells whether it came
// as a binary message). It returns the packet and done = true when a packet
// is complete; done = false with a nil error means more attachments are
// expected. On error the decoder is reset and the error is one of the
// package's sentinel errors. The packet aliases msg (and earlier attachment
// messages).
func (d *Decoder) Decode(msg []byte, binary bool) (p Packet, done bool, err error) {
	if binary {
		if d.want == 0 {
			d.Reset()
			return Packet{}, false, ErrUnexpectedBinary
		}
		d.pending.Attachments = append(d.pending.Attachments, msg)
		d.want--
		if d.want > 0 {
			return Packet{}, false, nil
		}
		p = d.pending
		d.pending = Packet{}
		if err := checkPlaceholders(p.Data, len(p.Attachments)); err != nil {
			return Packet{}, false, err
		}
		return p, true, nil
	}
	if d.want > 0 {
		d.Reset()
		return Packet{}, false, ErrUnexpectedText
	}
	max := d.MaxAttachments
	if max <= 0 {
		max = DefaultMaxAttachments
	}
	p, n, err := d.decodeText(msg, max)
	if err != nil {
		return Packet{}, false, err
	}
	if p.Type.IsBinary() {
		if n > 0 {
			d.pending = p
			d.pending.Attachments = make([][]byte, 0, n)
			d.want = n
			return Packet{}, false, nil
		}
		if err := checkPlaceholders(p.Data, 0); err != nil {
			return Packet{}, false, err
		}
	}
	return p, true, nil
}

// DecodeText decodes one complete text packet without attachments, for
// callers without a connection state (tests, tools). A binary packet that
// announces attachments returns ErrInvalidAttachments.
func DecodeText(msg []byte) (Packet, error) {
	var d Decoder
	p, done, err := d.Decode(msg, false)
	if err != nil {
		return Packet{}, err
	}
	if !done {
		return Packet{}, ErrInvalidAttachments
	}
	return p, nil
}

func (d *Decoder) decodeText(s []byte, maxAtt int) (p Packet, attachments int, err error) {
	if len(s) == 0 {
		return p, 0, ErrEmpty
	}
	c := s[0]
	if c < '0' || c > '6' {
		return p, 0, ErrInvalidType
	}
	p.Type = PacketType(c - '0')
	i := 1
	if p.Type.IsBinary() {
		start := i
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if n <= maxAtt {
				n = n*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start || i >= len(s) || s[i] != '-' {
			return p, 0, ErrInvalidAttachments
		}
		if n > maxAtt {
			return p, 0, ErrTooManyAttachments
		}
		attachments = n
		i++
	}
	p.Namespace = "/"
	if i < len(s) && s[i] == '/' {
		start := i
		for i < len(s) && s[i] != ',' {
			i++
		}
		nsp := s[start:i]
		if i < len(s) {
			i++ // the comma
		}
		if !validNamespace(nsp) {
			return p, 0, ErrInvalidNamespace
		}
		switch {
		case len(nsp) == 1:
		case string(nsp) == d.lastNsp:
			p.Namespace = d.lastNsp
		default:
			d.lastNsp = string(nsp)
			p.Namespace = d.lastNsp
		}
	}
	if i < len(s) && s[i] >= '0' && s[i] <= '9' {
		var id uint64
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			id = id*10 + uint64(s[i]-'0')
			if id > MaxID {
				return p, 0, ErrInvalidID
			}
			i++
		}
		p.ID, p.HasID = id, true
	}
	if i < len(s) {
		data := s[i:]
		if !json.Valid(data) {
			return p, 0, ErrInvalidJSON
		}
		p.Data = json.RawMessage(data)
	}
	if err := validPayload(&p); err != nil {
		return p, 0, err
	}
	return p, attachments, nil
}

// validNamespace accepts a "/"-prefixed UTF-8 name without control characters.
func validNamespace(nsp []byte) bool {
	for _, c := range nsp {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(nsp)
}

func firstByte(data []byte) byte {
	i := skipSpace(data, 0)
	if i >= len(data) {
		return 0
	}
	return data[i]
}

func validPayload(p *Packet) error {
	switch p.Type {
	case Connect:
		if p.Data != nil && firstByte(p.Data) != '{' {
			return ErrInvalidPayload
		}
	case Disconnect:
		if p.Data != nil {
			return ErrInvalidPayload
		}
	case ConnectError:
		if c := firstByte(p.Data); p.Data != nil && c != '{' && c != '"' {
			return ErrInvalidPayload
		}
	case Event, BinaryEvent:
		if firstByte(p.Data) != '[' {
			return ErrInvalidPayload
		}
		first := firstElement(p.Data)
		if len(first) == 0 {
			return ErrInvalidPayload
		}
		switch c := first[0]; {
		case c == '"':
			name, ok := StringBytes(first)
			if !ok || isReservedBytes(name) {
				return ErrInvalidPayload
			}
		case c == '-' || (c >= '0' && c <= '9'):
		default:
			return ErrInvalidPayload
		}
	case Ack, BinaryAck:
		if firstByte(p.Data) != '[' {
			return ErrInvalidPayload
		}
		if !p.HasID {
			return ErrInvalidID
		}
	}
	return nil
}

func isReservedBytes(name []byte) bool {
	for _, r := range reservedEvents {
		if string(name) == r {
			return true
		}
	}
	return false
}
