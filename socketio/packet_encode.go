package socketio

import (
	"fmt"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// A packet's text message is built in one buffer: the JSON data is
// appended after a gap reserved for the header, and the header is then
// written right before the data, so no second buffer and no copy of the
// data are needed.

// headerRoom is the gap reserved for the header of a packet of namespace
// nsp: type, attachment count and '-', namespace and ',', ack id.
func headerRoom(nsp string) int { return len(nsp) + 48 }

func newPacketBuf(nsp string, dataHint int) []byte {
	h := headerRoom(nsp)
	return make([]byte, h, h+dataHint)
}

// finishPacket writes the header in front of buf's data (buf[headerRoom:])
// and returns the text message.
func finishPacket(buf []byte, typ sioproto.PacketType, nsp string, id uint64, hasID bool, atts [][]byte) []byte {
	if len(atts) > 0 {
		switch typ {
		case sioproto.Event:
			typ = sioproto.BinaryEvent
		case sioproto.Ack:
			typ = sioproto.BinaryAck
		}
	}
	h := headerRoom(nsp)
	var scratch [96]byte
	hdr := sioproto.AppendPacket(scratch[:0], &sioproto.Packet{Type: typ, Namespace: nsp, ID: id, HasID: hasID, Attachments: atts})
	start := h - len(hdr)
	copy(buf[start:h], hdr)
	return buf[start:]
}

// encodeEvent encodes ["event", args...] as a text message; data is the
// JSON array within it.
func encodeEvent(nsp string, id uint64, hasID bool, event string, args []any) (text, data []byte, atts [][]byte, err error) {
	if isReserved(event) {
		return nil, nil, nil, fmt.Errorf("emit %q: %w", event, ErrReservedEvent)
	}
	buf := newPacketBuf(nsp, 48+len(event))
	buf = append(buf, '[')
	buf = sioproto.AppendString(buf, event)
	for _, a := range args {
		buf = append(buf, ',')
		if buf, atts, err = sioproto.AppendValue(buf, a, atts); err != nil {
			return nil, nil, nil, fmt.Errorf("emit %q: %w", event, err)
		}
	}
	buf = append(buf, ']')
	text = finishPacket(buf, sioproto.Event, nsp, id, hasID, atts)
	return text, buf[headerRoom(nsp):], atts, nil
}

// encodeAck encodes an ACK with args as its arguments.
func encodeAck(nsp string, id uint64, args []any) (text []byte, atts [][]byte, err error) {
	buf := newPacketBuf(nsp, 48)
	buf = append(buf, '[')
	for i, a := range args {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, atts, err = sioproto.AppendValue(buf, a, atts); err != nil {
			return nil, nil, fmt.Errorf("encode ack: %w", err)
		}
	}
	buf = append(buf, ']')
	return finishPacket(buf, sioproto.Ack, nsp, id, true, atts), atts, nil
}

// sendPacket queues a text message and its attachments.
func sendPacket(tr transport, text []byte, atts [][]byte) error {
	if len(atts) == 0 {
		return tr.sendOne(outMsg{Data: text})
	}
	msgs := make([]outMsg, 1, 1+len(atts))
	msgs[0] = outMsg{Data: text}
	for _, a := range atts {
		msgs = append(msgs, outMsg{Data: a, Binary: true})
	}
	return tr.send(msgs)
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
