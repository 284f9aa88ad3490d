package socketio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// MemoryAdapter is the default, single-server [Adapter]. It also implements
// [SessionAdapter] (when the server has connection state recovery enabled),
// [SocketFetcher] and [AckBroadcaster]. A cluster adapter can embed it for local delivery.
// It is safe for concurrent use.
type MemoryAdapter struct {
	ns *Namespace

	mu sync.RWMutex
	// rooms maps each room (other than socket ids) to its members; the
	// *Socket (nil if the socket was not local when it joined) saves a
	// namespace lookup per recipient during broadcasts.
	rooms map[Room]map[SocketID]*Socket
	sids  map[SocketID]map[Room]struct{} // only sockets that joined a room

	rec *recoveryBuffer // nil when recovery is off
}

var (
	_ Adapter        = (*MemoryAdapter)(nil)
	_ SessionAdapter = (*MemoryAdapter)(nil)
	_ SocketFetcher  = (*MemoryAdapter)(nil)
	_ AckBroadcaster = (*MemoryAdapter)(nil)
)

// NewMemoryAdapter returns the in-memory adapter of ns.
func NewMemoryAdapter(ns *Namespace) *MemoryAdapter {
	a := &MemoryAdapter{ns: ns}
	if rc := ns.srv.recovery; rc != nil {
		a.rec = newRecoveryBuffer(rc)
	}
	return a
}

// AddAll implements [Adapter]. Joining the socket's own room is a no-op (it
// is implicit).
func (a *MemoryAdapter) AddAll(id SocketID, rooms []Room) {
	sock := a.ns.Socket(id)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range rooms {
		if r == Room(id) {
			continue
		}
		if a.rooms == nil {
			a.rooms = make(map[Room]map[SocketID]*Socket)
			a.sids = make(map[SocketID]map[Room]struct{})
		}
		m := a.rooms[r]
		if m == nil {
			m = make(map[SocketID]*Socket, 1)
			a.rooms[r] = m
		}
		m[id] = sock
		sm := a.sids[id]
		if sm == nil {
			sm = make(map[Room]struct{}, 1)
			a.sids[id] = sm
		}
		sm[r] = struct{}{}
	}
}

// Del implements [Adapter].
func (a *MemoryAdapter) Del(id SocketID, room Room) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.delLocked(id, room)
}

func (a *MemoryAdapter) delLocked(id SocketID, room Room) {
	if m := a.rooms[room]; m != nil {
		delete(m, id)
		if len(m) == 0 {
			delete(a.rooms, room)
		}
	}
	if sm := a.sids[id]; sm != nil {
		delete(sm, room)
		if len(sm) == 0 {
			delete(a.sids, id)
		}
	}
}

// DelAll implements [Adapter].
func (a *MemoryAdapter) DelAll(id SocketID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for r := range a.sids[id] {
		if m := a.rooms[r]; m != nil {
			delete(m, id)
			if len(m) == 0 {
				delete(a.rooms, r)
			}
		}
	}
	delete(a.sids, id)
}

// SocketRooms implements [Adapter].
func (a *MemoryAdapter) SocketRooms(id SocketID) []Room {
	a.mu.RLock()
	defer a.mu.RUnlock()
	sm := a.sids[id]
	if len(sm) == 0 {
		return nil
	}
	out := make([]Room, 0, len(sm))
	for r := range sm {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// Sockets implements [Adapter].
func (a *MemoryAdapter) Sockets(_ context.Context, rooms []Room) ([]SocketID, error) {
	var out []SocketID
	a.mu.RLock()
	a.forEachLocked(BroadcastOptions{Rooms: rooms}, func(s *Socket) { out = append(out, s.id) })
	a.mu.RUnlock()
	return out, nil
}

// FetchSockets implements [SocketFetcher] for local sockets.
func (a *MemoryAdapter) FetchSockets(_ context.Context, opts BroadcastOptions) ([]SocketInfo, error) {
	var socks []*Socket
	a.mu.RLock()
	a.forEachLocked(opts, func(s *Socket) { socks = append(socks, s) })
	a.mu.RUnlock()
	out := make([]SocketInfo, 0, len(socks))
	for _, s := range socks {
		out = append(out, SocketInfo{ID: s.id, Handshake: s.hs, Rooms: s.Rooms(), Data: s.dataSnapshot()})
	}
	return out, nil
}

// Broadcast implements [Adapter]. With recovery enabled, a non-volatile
// packet gets a fresh offset appended as its last argument and is kept for
// the recovery window, as socket.io's session-aware adapter does.
func (a *MemoryAdapter) Broadcast(_ context.Context, pkt *EncodedPacket, opts BroadcastOptions) error {
	if a.rec != nil && !opts.Flags.Volatile {
		a.rec.store(pkt, opts)
	}
	msgs := pkt.wire()
	volatile := opts.Flags.Volatile
	a.mu.RLock()
	a.forEachLocked(opts, func(s *Socket) { s.sendWire(msgs, volatile) })
	a.mu.RUnlock()
	return nil
}

// BroadcastWithAck implements [AckBroadcaster] for this server's sockets.
// The selection is taken under the adapter's and namespace's read locks,
// but the acks are registered and the packet sent after they are released:
// registering takes each Socket.mu, which the lock order puts above them.
// A broadcast that starts after a socket's CONNECT still reaches it.
func (a *MemoryAdapter) BroadcastWithAck(ctx context.Context, pkt *EncodedPacket, opts BroadcastOptions, sink AckSink) error {
	var socks []*Socket
	a.mu.RLock()
	a.forEachLocked(opts, func(s *Socket) { socks = append(socks, s) })
	a.mu.RUnlock()
	a.ns.deliverWithAck(ctx, pkt, socks, opts.Flags.Volatile, sink)
	return nil
}

// ServerCount implements [AckBroadcaster]: this server only.
func (a *MemoryAdapter) ServerCount(context.Context) (int, error) { return 1, nil }

// forEachLocked calls fn for every local socket selected by opts, each once.
// a.mu is held (read); fn must not call back into the adapter.
func (a *MemoryAdapter) forEachLocked(opts BroadcastOptions, fn func(*Socket)) {
	ns := a.ns
	excluded := func(s *Socket) bool {
		for _, r := range opts.Except {
			if r == Room(s.id) {
				return true
			}
			if _, ok := a.rooms[r][s.id]; ok {
				return true
			}
		}
		return false
	}
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	if len(opts.Rooms) == 0 {
		for _, s := range ns.sockets {
			if len(opts.Except) == 0 || !excluded(s) {
				fn(s)
			}
		}
		return
	}
	var seen map[SocketID]struct{}
	if len(opts.Rooms) > 1 {
		seen = make(map[SocketID]struct{})
	}
	visit := func(s *Socket) {
		if s == nil {
			return
		}
		if seen != nil {
			if _, ok := seen[s.id]; ok {
				return
			}
			seen[s.id] = struct{}{}
		}
		if len(opts.Except) == 0 || !excluded(s) {
			fn(s)
		}
	}
	for _, r := range opts.Rooms {
		for id, s := range a.rooms[r] {
			if s == nil {
				s = ns.sockets[id]
			}
			visit(s)
		}
		visit(ns.sockets[SocketID(r)])
	}
}

// Close implements [Adapter].
func (a *MemoryAdapter) Close(context.Context) error { return nil }

// PersistSession implements [SessionAdapter].
func (a *MemoryAdapter) PersistSession(_ context.Context, s *Session) error {
	if a.rec != nil {
		a.rec.persist(s)
	}
	return nil
}

// RestoreSession implements [SessionAdapter].
func (a *MemoryAdapter) RestoreSession(_ context.Context, pid, offset string) (*Session, error) {
	if a.rec == nil {
		return nil, nil
	}
	return a.rec.restore(pid, offset), nil
}

// recoveryBuffer keeps recent broadcasts and disconnected sessions.
type recoveryBuffer struct {
	maxAge     time.Duration
	maxPackets int
	prefix     string // distinguishes this process's offsets

	mu        sync.Mutex
	next      uint64
	packets   []storedPacket
	sessions  map[string]*Session
	lastPrune time.Time
}

type storedPacket struct {
	off  uint64
	at   time.Time
	pkt  *EncodedPacket
	opts BroadcastOptions
}

func newRecoveryBuffer(rc *RecoveryConfig) *recoveryBuffer {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &recoveryBuffer{
		maxAge:     rc.MaxDisconnectionDuration,
		maxPackets: rc.MaxPackets,
		prefix:     hex.EncodeToString(b[:]) + "-",
		sessions:   make(map[string]*Session),
	}
}

func (b *recoveryBuffer) offsetString(off uint64) string {
	return b.prefix + strconv.FormatUint(off, 36)
}

func (b *recoveryBuffer) parseOffset(s string) (uint64, bool) {
	rest, ok := strings.CutPrefix(s, b.prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 36, 64)
	return n, err == nil
}

// store assigns an offset to pkt, appends it to pkt.Data and keeps the packet.
func (b *recoveryBuffer) store(pkt *EncodedPacket, opts BroadcastOptions) {
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	off := b.next
	pkt.Data = appendLastArg(pkt.Data, b.offsetString(off))
	b.packets = append(b.packets, storedPacket{off: off, at: now, pkt: pkt, opts: opts})
	b.pruneLocked(now)
}

// appendLastArg returns a copy of the JSON array data with s appended.
func appendLastArg(data []byte, s string) []byte {
	end := len(data) - 1
	for end > 0 && data[end] != ']' {
		end--
	}
	out := make([]byte, 0, len(data)+len(s)+4)
	out = append(out, data[:end]...)
	if body := strings.TrimSpace(string(data[1:end])); body != "" {
		out = append(out, ',')
	}
	out = sioproto.AppendString(out, s)
	return append(out, ']')
}

func (b *recoveryBuffer) pruneLocked(now time.Time) {
	threshold := now.Add(-b.maxAge)
	drop := 0
	for drop < len(b.packets) && (b.packets[drop].at.Before(threshold) || len(b.packets)-drop > b.maxPackets) {
		drop++
	}
	if drop > 0 {
		clear(b.packets[:drop])
		b.packets = b.packets[drop:]
		if len(b.packets) == 0 {
			b.packets = nil
		}
	}
	if now.Sub(b.lastPrune) > b.maxAge/2 {
		b.lastPrune = now
		for pid, s := range b.sessions {
			if s.DisconnectedAt.Before(threshold) {
				delete(b.sessions, pid)
			}
		}
	}
}

func (b *recoveryBuffer) persist(s *Session) {
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	s.DisconnectedAt = now
	b.sessions[s.PID] = s
	b.pruneLocked(now)
}

func (b *recoveryBuffer) restore(pid, offset string) *Session {
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.sessions[pid]
	if s == nil {
		return nil
	}
	if now.Sub(s.DisconnectedAt) > b.maxAge {
		delete(b.sessions, pid)
		return nil
	}
	off, ok := b.parseOffset(offset)
	if !ok {
		return nil
	}
	i := sort.Search(len(b.packets), func(i int) bool { return b.packets[i].off >= off })
	if i == len(b.packets) || b.packets[i].off != off {
		// The offset is too old (pruned) or unknown: no recovery, as in Node.
		return nil
	}
	delete(b.sessions, pid)
	rs := *s
	rs.MissedPackets = nil
	for _, p := range b.packets[i+1:] {
		if includePacket(s.SID, s.Rooms, p.opts) {
			rs.MissedPackets = append(rs.MissedPackets, p.pkt)
		}
	}
	return &rs
}

// includePacket reports whether a socket with these rooms (plus its own)
// was a recipient of a broadcast with opts.
func includePacket(sid SocketID, rooms []Room, opts BroadcastOptions) bool {
	in := func(r Room) bool { return r == Room(sid) || slices.Contains(rooms, r) }
	included := len(opts.Rooms) == 0
	for _, r := range opts.Rooms {
		if in(r) {
			included = true
			break
		}
	}
	if !included {
		return false
	}
	for _, r := range opts.Except {
		if in(r) {
			return false
		}
	}
	return true
}
