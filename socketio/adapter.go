package socketio

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// SocketID identifies a socket within its namespace. Every socket is also
// in the room named by its id, so Room(id) targets it.
type SocketID string

// Room names a group of sockets of one namespace.
type Room string

// BroadcastFlags modify how a broadcast is delivered.
type BroadcastFlags struct {
	// Volatile drops the packet for recipients whose transport cannot take
	// it right now, and keeps it out of the recovery buffer.
	Volatile bool
	// Local restricts the broadcast to this server (no effect with the
	// in-memory adapter; a cluster adapter does not forward it).
	Local bool
}

// BroadcastOptions select the recipients of a broadcast: the sockets in any
// of Rooms (all sockets of the namespace when Rooms is empty) that are in
// none of Except. The field names follow socket.io-adapter's
// BroadcastOptions so a cluster adapter can forward them as they are.
type BroadcastOptions struct {
	Rooms  []Room
	Except []Room
	Flags  BroadcastFlags
}

// EncodedPacket is an EVENT to broadcast, encoded once and shared by every
// recipient. Data is the JSON array ["event", args...] with binary values
// replaced by placeholders, and Attachments holds them in order.
//
// An adapter may change Data (the in-memory adapter appends the recovery
// offset) until it first delivers the packet; after that the packet and its
// wire encoding are immutable and may be retained (recovery buffer,
// cluster forwarding).
type EncodedPacket struct {
	Namespace   string
	Data        json.RawMessage
	Attachments [][]byte

	// text is the text message built with Data when the packet was
	// encoded; it is used as long as Data is still that slice.
	text     []byte
	textData []byte

	once sync.Once
	msgs []outMsg
}

// wire returns the Engine.IO messages for the packet, built on first use.
func (p *EncodedPacket) wire() []outMsg {
	p.once.Do(func() {
		if p.text != nil && sameSlice(p.Data, p.textData) {
			p.msgs = make([]outMsg, 1, 1+len(p.Attachments))
			p.msgs[0] = outMsg{Data: p.text}
			for _, a := range p.Attachments {
				p.msgs = append(p.msgs, outMsg{Data: a, Binary: true})
			}
		} else {
			p.msgs = encodeMessages(sioproto.Event, p.Namespace, 0, false, p.Data, p.Attachments)
		}
		p.text, p.textData = nil, nil
	})
	return p.msgs
}

// encodeMessages builds the text message and the binary attachment messages
// of one packet.
func encodeMessages(typ sioproto.PacketType, nsp string, id uint64, hasID bool, data []byte, atts [][]byte) []outMsg {
	if len(atts) > 0 {
		switch typ {
		case sioproto.Event:
			typ = sioproto.BinaryEvent
		case sioproto.Ack:
			typ = sioproto.BinaryAck
		}
	}
	pkt := sioproto.Packet{Type: typ, Namespace: nsp, ID: id, HasID: hasID, Data: data, Attachments: atts}
	text := sioproto.AppendPacket(make([]byte, 0, len(data)+len(nsp)+16), &pkt)
	msgs := make([]outMsg, 1, 1+len(atts))
	msgs[0] = outMsg{Data: text}
	for _, a := range atts {
		msgs = append(msgs, outMsg{Data: a, Binary: true})
	}
	return msgs
}

// Adapter stores the room membership of a namespace's sockets and delivers
// broadcasts. One Adapter serves one namespace ([Config].Adapter builds it).
// The method names follow Node's socket.io-adapter so a cluster adapter
// (such as a Redis one) maps one-to-one onto its protocol. Methods are
// called concurrently and must not block on the network while holding
// locks that Broadcast needs.
type Adapter interface {
	// AddAll adds socket id to rooms. For a recovered socket it is called
	// with the restored rooms just before the socket joins its namespace:
	// deliver only to local sockets the namespace lists ([Namespace.Socket],
	// as an embedded MemoryAdapter does), which it does from the moment
	// their CONNECT packet is queued.
	AddAll(id SocketID, rooms []Room)
	// Del removes socket id from room.
	Del(id SocketID, room Room)
	// DelAll removes socket id from all its rooms (the socket has left).
	DelAll(id SocketID)
	// SocketRooms returns the rooms of socket id, excluding the socket's
	// own room.
	SocketRooms(id SocketID) []Room
	// Sockets returns the ids of the local sockets in any of rooms (all
	// sockets of the namespace when rooms is empty).
	Sockets(ctx context.Context, rooms []Room) ([]SocketID, error)
	// Broadcast delivers pkt to the sockets selected by opts.
	Broadcast(ctx context.Context, pkt *EncodedPacket, opts BroadcastOptions) error
	// Close releases the adapter's resources; the namespace is gone.
	Close(ctx context.Context) error
}

// Session is the state of a disconnected socket kept for connection state
// recovery.
type Session struct {
	SID            SocketID
	PID            string
	Rooms          []Room
	Data           map[string]any
	DisconnectedAt time.Time
	// MissedPackets is filled by RestoreSession: the broadcasts the socket
	// would have received since the client's offset, in order.
	MissedPackets []*EncodedPacket
}

// SessionAdapter is implemented by adapters that support connection state
// recovery ([Config].Recovery). The in-memory adapter does.
type SessionAdapter interface {
	// PersistSession keeps s for the recovery window.
	PersistSession(ctx context.Context, s *Session) error
	// RestoreSession returns the session of private id pid with the
	// packets broadcast after offset, or nil (and no error) when the
	// session expired or the offset is unknown. A session is restored once.
	RestoreSession(ctx context.Context, pid, offset string) (*Session, error)
}

// SocketInfo describes a socket found by [SocketFetcher.FetchSockets].
type SocketInfo struct {
	ID        SocketID
	Handshake *Handshake
	Rooms     []Room
	Data      map[string]any
}

// SocketFetcher is implemented by adapters that can list the sockets matching
// a selection across the cluster (Node's fetchSockets). The in-memory adapter
// lists local sockets.
type SocketFetcher interface {
	FetchSockets(ctx context.Context, opts BroadcastOptions) ([]SocketInfo, error)
}

// ServerSideEmitter is implemented by cluster adapters that can send an
// event to the other servers of the cluster (Node's serverSideEmit). The
// in-memory adapter does not implement it.
type ServerSideEmitter interface {
	ServerSideEmit(ctx context.Context, event string, args []any) error
}

// AckBroadcaster is implemented by adapters that can broadcast an event that
// asks every recipient for an acknowledgement (Node's broadcastWithAck and
// serverCount), which [BroadcastOperator.EmitWithAck] uses. The in-memory
// adapter implements it for this server's sockets, so an adapter that embeds
// [MemoryAdapter] inherits local delivery. A cluster adapter forwards the
// packet (Data and Attachments) to the other servers; each of them delivers
// it with its own MemoryAdapter's BroadcastWithAck and an [AckSink] that
// reports back, and the origin calls its sink with what they report. When
// the adapter does not implement AckBroadcaster, EmitWithAck delivers to the
// local sockets the adapter's Sockets selects (as [BroadcastOperator.Sockets]).
type AckBroadcaster interface {
	// BroadcastWithAck delivers pkt to the sockets selected by opts with an
	// ack id valid on each of them, and reports to sink: Expect once per
	// server that delivered it (this one included, even for zero sockets),
	// then Ack for each answer and Lost for each recipient that disconnected
	// before answering, in any order and from any goroutine. pkt is not kept
	// for recovery and gets no offset (as in Node, packets with an ack id are
	// not replayed). Acks still pending when ctx is done are dropped, so
	// ctx must end: EmitWithAck cancels it when it returns.
	BroadcastWithAck(ctx context.Context, pkt *EncodedPacket, opts BroadcastOptions, sink AckSink) error
	// ServerCount returns the number of servers whose Expect a
	// BroadcastWithAck without the Local flag produces (1 for the in-memory
	// adapter). EmitWithAck calls it after BroadcastWithAck, as Node does.
	ServerCount(ctx context.Context) (int, error)
}

// AckSink receives the outcome of an [AckBroadcaster.BroadcastWithAck]. Its
// methods are called concurrently, from connections' read loops and from
// socket closes, in any order (an Ack may come before its server's Expect);
// they must not block (a cluster adapter's sink hands its messages to a
// queue).
type AckSink interface {
	// Expect reports that one server sent the packet to n sockets.
	Expect(n int)
	// Ack delivers one recipient's answer (every argument of its ACK).
	Ack(args Args)
	// Lost reports that one recipient disconnected before answering. A
	// cluster adapter that cannot observe another server's disconnections
	// need not report them: the broadcast then ends at its deadline, as in
	// Node.
	Lost()
}
