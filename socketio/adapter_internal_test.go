package socketio

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestPipeConnectFlood(t *testing.T) {
	srv := newTestServer(t, Config{})
	block := make(chan struct{})
	srv.OfMatch(func(string) bool { return true }, nil)
	srv.Use(func(ctx context.Context, h *Handshake) error {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil
	})
	tc := dialPipe(t, srv)
	for i := range maxPendingConnects + 1 {
		tc.send("0/ns" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ",")
	}
	if r := tc.waitClosed(); r != ReasonForcedServerClose {
		t.Fatalf("reason %q", r)
	}
	close(block)
}

func TestAdapterExtras(t *testing.T) {
	srv := newTestServer(t, Config{})
	ns := srv.Of("/")
	socks := make(chan *Socket, 3)
	ns.OnConnection(func(s *Socket) { socks <- s })
	var conns []*testConn
	var ss []*Socket
	for range 3 {
		tc := dialPipe(t, srv)
		connectMain(t, tc, "/")
		conns = append(conns, tc)
		ss = append(ss, <-socks)
	}
	ss[0].Set("k", "v")
	ns.To(Room(ss[0].ID()), Room(ss[1].ID())).SocketsJoin("team")
	infos, err := ns.FetchSockets(context.Background(), BroadcastOptions{Rooms: []Room{"team"}})
	if err != nil || len(infos) != 2 {
		t.Fatalf("fetch: %v %v", infos, err)
	}
	for _, in := range infos {
		if in.ID == ss[0].ID() && (in.Data["k"] != "v" || !slices.Contains(in.Rooms, "team")) {
			t.Fatalf("info %+v", in)
		}
	}
	ids, _ := ns.Adapter().Sockets(context.Background(), nil)
	if len(ids) != 3 {
		t.Fatalf("sockets %v", ids)
	}
	if ns.Socket(ss[2].ID()) != ss[2] {
		t.Fatal("Socket(id)")
	}
	if err := ns.ServerSideEmit(context.Background(), "x"); err == nil {
		t.Fatal("server-side emit with the memory adapter succeeded")
	}
	got := make(chan string, 1)
	if ns.DeliverServerSideEmit(context.Background(), "e", Args{}) {
		t.Fatal("delivered without handler")
	}
	ns.OnServerSideEmit(func(ctx context.Context, event string, args Args) {
		var v int
		_ = args.Unmarshal(0, &v)
		got <- event + string(rune('0'+v))
	})
	ns.DeliverServerSideEmit(context.Background(), "e", NewArgs([]json.RawMessage{json.RawMessage("7")}, nil))
	if g := <-got; g != "e7" {
		t.Fatal(g)
	}
	ns.In("team").Except(Room(ss[1].ID())).DisconnectSockets(false)
	conns[0].expect("1")
	if ns.Len() != 2 || ss[0].Connected() {
		t.Fatalf("len %d", ns.Len())
	}
	for _, tc := range conns {
		tc.close()
	}
}

func TestRecoveryBufferBounds(t *testing.T) {
	b := newRecoveryBuffer(&RecoveryConfig{MaxDisconnectionDuration: time.Minute, MaxPackets: 3})
	var pkts []*EncodedPacket
	for i := range 5 {
		p := &EncodedPacket{Namespace: "/", Data: json.RawMessage(`["e",` + string(rune('0'+i)) + `]`)}
		b.store(p, BroadcastOptions{})
		pkts = append(pkts, p)
	}
	if len(b.packets) != 3 {
		t.Fatalf("%d packets kept", len(b.packets))
	}
	if string(pkts[0].Data) != `["e",0,"`+b.offsetString(1)+`"]` {
		t.Fatalf("data %s", pkts[0].Data)
	}
	b.persist(&Session{SID: "s", PID: "p"})
	// Offset 1 was pruned: no recovery.
	if s := b.restore("p", b.offsetString(1)); s != nil {
		t.Fatal("restored from a pruned offset")
	}
	if s := b.restore("p", b.offsetString(3)); s == nil || len(s.MissedPackets) != 2 {
		t.Fatalf("restore: %+v", s)
	}
	if s := b.restore("p", b.offsetString(3)); s != nil {
		t.Fatal("session restored twice")
	}
	if s := b.restore("x", "garbage"); s != nil {
		t.Fatal("unknown pid")
	}
	// Empty array gets just the offset.
	if got := string(appendLastArg([]byte(`[]`), "o")); got != `["o"]` {
		t.Fatal(got)
	}
}
