package socketio

import (
	"context"
	"fmt"
	"slices"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// Target is something an event can be emitted to: a [*Socket], a
// [*Namespace] or a [BroadcastOperator]. The interface is sealed.
type Target interface {
	Emit(ctx context.Context, event string, args ...any) error
	target()
}

var (
	_ Target = (*Socket)(nil)
	_ Target = (*Namespace)(nil)
	_ Target = BroadcastOperator{}
)

// BroadcastOperator selects sockets of a namespace by room, in socket.io's
// vocabulary: ns.To("room1").Except("room2").Emit(ctx, "event", args...).
// It is an immutable value: each method returns a new selection.
type BroadcastOperator struct {
	ns     *Namespace
	rooms  []Room
	except []Room
	flags  BroadcastFlags
}

// To adds rooms to the selection (a socket in any of them is selected).
func (b BroadcastOperator) To(rooms ...Room) BroadcastOperator {
	b.rooms = append(slices.Clip(b.rooms), rooms...)
	return b
}

// In is an alias of To.
func (b BroadcastOperator) In(rooms ...Room) BroadcastOperator { return b.To(rooms...) }

// Except excludes the sockets in rooms.
func (b BroadcastOperator) Except(rooms ...Room) BroadcastOperator {
	b.except = append(slices.Clip(b.except), rooms...)
	return b
}

// Volatile drops the event for the sockets that cannot take it now, and
// keeps it out of the recovery buffer.
func (b BroadcastOperator) Volatile() BroadcastOperator {
	b.flags.Volatile = true
	return b
}

// Local restricts the broadcast to this server's sockets.
func (b BroadcastOperator) Local() BroadcastOperator {
	b.flags.Local = true
	return b
}

// Namespace returns the namespace the selection belongs to.
func (b BroadcastOperator) Namespace() *Namespace { return b.ns }

// Options returns the selection as adapter options.
func (b BroadcastOperator) Options() BroadcastOptions {
	return BroadcastOptions{Rooms: b.rooms, Except: b.except, Flags: b.flags}
}

func (b BroadcastOperator) target() {}

// Emit encodes the event once and hands the same bytes to every selected
// socket (and to the adapter, which may forward them to other servers). It
// never blocks on a slow recipient: each socket's send queue is bounded by
// the Engine.IO configuration. It returns [ErrReservedEvent] for a reserved
// name and an encoding error for an argument encoding/json cannot encode.
func (b BroadcastOperator) Emit(ctx context.Context, event string, args ...any) error {
	args, err := b.ns.srv.checkEmit(b.ns, event, args)
	if err != nil {
		return err
	}
	pkt, err := newEncodedPacket(b.ns.name, event, args)
	if err != nil {
		return err
	}
	if err := b.ns.adapter.Broadcast(ctx, pkt, b.Options()); err != nil {
		return fmt.Errorf("broadcast %q: %w", event, err)
	}
	return nil
}

// Sockets returns the local sockets of the selection.
func (b BroadcastOperator) Sockets() []*Socket {
	var out []*Socket
	if ma, ok := b.ns.adapter.(*MemoryAdapter); ok {
		ma.mu.RLock()
		ma.forEachLocked(b.Options(), func(s *Socket) { out = append(out, s) })
		ma.mu.RUnlock()
		return out
	}
	ids, err := b.ns.adapter.Sockets(context.Background(), b.rooms)
	if err != nil {
		return nil
	}
	for _, id := range ids {
		if s := b.ns.Socket(id); s != nil && !s.inAny(b.except) {
			out = append(out, s)
		}
	}
	return out
}

// SocketsJoin makes the selected local sockets join rooms.
func (b BroadcastOperator) SocketsJoin(rooms ...Room) {
	for _, s := range b.Sockets() {
		s.Join(rooms...)
	}
}

// SocketsLeave makes the selected local sockets leave rooms.
func (b BroadcastOperator) SocketsLeave(rooms ...Room) {
	for _, s := range b.Sockets() {
		for _, r := range rooms {
			s.Leave(r)
		}
	}
}

// DisconnectSockets disconnects the selected local sockets (see
// [Socket.Disconnect]).
func (b BroadcastOperator) DisconnectSockets(close bool) {
	for _, s := range b.Sockets() {
		s.Disconnect(close)
	}
}

func isReserved(event string) bool { return sioproto.IsReservedEvent(event) }

// newEncodedPacket encodes ["event", args...].
func newEncodedPacket(nsp, event string, args []any) (*EncodedPacket, error) {
	text, data, atts, err := encodeEvent(nsp, 0, false, event, args)
	if err != nil {
		return nil, err
	}
	return &EncodedPacket{Namespace: nsp, Data: data, Attachments: atts, text: text, textData: data}, nil
}
