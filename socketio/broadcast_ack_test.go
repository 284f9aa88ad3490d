package socketio_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/socketio"
)

// connectWire connects a raw client to "/" and returns it with its socket.
func connectWire(t *testing.T, srv *socketio.Server, url string) (*wire, *socketio.Socket) {
	t.Helper()
	w := dial(t, url)
	w.send("0")
	var p struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal([]byte(w.expectPrefix("0{")[1:]), &p); err != nil {
		t.Fatal(err)
	}
	s := srv.Of("/").Socket(socketio.SocketID(p.SID))
	if s == nil {
		t.Fatalf("socket %s not listed", p.SID)
	}
	return w, s
}

// splitAckEvent splits an EVENT or BINARY_EVENT that asks for an ack
// ("2<id>[...]" or "5<n>-<id>[...]") into its ack id and JSON payload.
func splitAckEvent(t testing.TB, pkt string) (id uint64, payload string) {
	t.Helper()
	rest, ok := strings.CutPrefix(pkt, "2")
	if !ok {
		if _, rest, ok = strings.Cut(pkt, "-"); !ok || pkt[0] != '5' {
			t.Fatalf("%q is not an event", pkt)
		}
	}
	i := strings.IndexByte(rest, '[')
	if i <= 0 {
		t.Fatalf("%q has no ack id", pkt)
	}
	id, err := strconv.ParseUint(rest[:i], 10, 64)
	if err != nil {
		t.Fatalf("%q: %v", pkt, err)
	}
	return id, rest[i:]
}

// ackStrings returns the first argument of each answer, sorted.
func ackStrings(t *testing.T, acks []socketio.Args) []string {
	t.Helper()
	out := make([]string, 0, len(acks))
	for _, a := range acks {
		var s string
		if err := a.Unmarshal(0, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

type ackResult struct {
	acks    []socketio.Args
	err     error
	elapsed time.Duration
}

// goEmitWithAck runs b.EmitWithAck on its own goroutine.
func goEmitWithAck(ctx context.Context, b interface {
	EmitWithAck(context.Context, string, ...any) ([]socketio.Args, error)
}, event string, args ...any) <-chan ackResult {
	ch := make(chan ackResult, 1)
	go func() {
		start := time.Now()
		acks, err := b.EmitWithAck(ctx, event, args...)
		ch <- ackResult{acks, err, time.Since(start)}
	}()
	return ch
}

func waitResult(t *testing.T, ch <-chan ackResult) ackResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("EmitWithAck did not return")
	}
	return ackResult{}
}

func waitNoPendingAcks(t *testing.T, socks ...*socketio.Socket) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range socks {
		for socketio.PendingAcks(s) != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("socket %s still has %d pending acks", s.ID(), socketio.PendingAcks(s))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func TestBroadcastEmitWithAckAllAnswer(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	var ws []*wire
	var socks []*socketio.Socket
	for range 3 {
		w, s := connectWire(t, srv, url)
		ws, socks = append(ws, w), append(socks, s)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	res := goEmitWithAck(ctx, srv.Of("/"), "q", 1, "two")
	var ids []uint64
	for i, w := range ws {
		id, payload := splitAckEvent(t, w.recv())
		if payload != `["q",1,"two"]` {
			t.Fatalf("payload %s", payload)
		}
		ids = append(ids, id)
		w.send(fmt.Sprintf(`3%d["a%d",%d]`, id, i, i))
	}
	// One packet for everyone: the same id on every socket.
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("ack ids %v differ", ids)
	}
	r := waitResult(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"a0", "a1", "a2"}) {
		t.Fatalf("answers %q", got)
	}
	for _, a := range r.acks {
		if a.Len() != 2 {
			t.Fatalf("answer has %d arguments, want every argument of the ACK", a.Len())
		}
	}
	for _, s := range socks {
		if n := socketio.PendingAcks(s); n != 0 {
			t.Fatalf("%d acks pending after every answer", n)
		}
	}
}

func TestBroadcastEmitWithAckTimeoutKeepsPartialAnswers(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	w0, s0 := connectWire(t, srv, url)
	w1, s1 := connectWire(t, srv, url)
	silent, ss := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	res := goEmitWithAck(ctx, srv.Of("/"), "q")
	for i, w := range []*wire{w0, w1} {
		id, _ := splitAckEvent(t, w.recv())
		w.send(fmt.Sprintf(`3%d["a%d"]`, id, i))
	}
	id, _ := splitAckEvent(t, silent.recv())
	r := waitResult(t, res)
	if !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", r.err)
	}
	if !strings.Contains(r.err.Error(), "2 of 3 recipients answered") {
		t.Fatalf("err = %v, want the counts", r.err)
	}
	if r.elapsed < 250*time.Millisecond {
		t.Fatalf("returned after %v, before the deadline", r.elapsed)
	}
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"a0", "a1"}) {
		t.Fatalf("answers %q", got)
	}
	// The id is dropped from the silent socket: nothing leaks, and a late
	// answer is ignored without harm.
	waitNoPendingAcks(t, s0, s1, ss)
	silent.send(fmt.Sprintf(`3%d["late"]`, id))
	silent.noMessage(50 * time.Millisecond)
	if !ss.Connected() {
		t.Fatal("late answer disconnected the socket")
	}
}

func TestBroadcastEmitWithAckRecipientDisconnects(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	w0, _ := connectWire(t, srv, url)
	w1, _ := connectWire(t, srv, url)
	gone, _ := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res := goEmitWithAck(ctx, srv.Of("/"), "q")
	gone.recv()
	gone.close()
	for i, w := range []*wire{w0, w1} {
		id, _ := splitAckEvent(t, w.recv())
		w.send(fmt.Sprintf(`3%d["a%d"]`, id, i))
	}
	r := waitResult(t, res)
	if !errors.Is(r.err, socketio.ErrDisconnected) {
		t.Fatalf("err = %v, want ErrDisconnected", r.err)
	}
	if errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v: the call waited for its deadline", r.err)
	}
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"a0", "a1"}) {
		t.Fatalf("answers %q", got)
	}
}

func TestBroadcastEmitWithAckSelectsRooms(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	var ws []*wire
	var socks []*socketio.Socket
	for range 4 {
		w, s := connectWire(t, srv, url)
		ws, socks = append(ws, w), append(socks, s)
	}
	socks[0].Join("a")
	socks[1].Join("a", "b")
	socks[2].Join("a", "c")
	ns := srv.Of("/")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	// s1 is in both rooms and gets the event once; s2 is excluded, s3 in
	// neither room.
	res := goEmitWithAck(ctx, ns.To("a", "b").Except("c"), "q")
	for i, w := range ws[:2] {
		id, _ := splitAckEvent(t, w.recv())
		w.send(fmt.Sprintf(`3%d["a%d"]`, id, i))
	}
	r := waitResult(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"a0", "a1"}) {
		t.Fatalf("answers %q", got)
	}
	for _, w := range ws {
		w.noMessage(50 * time.Millisecond)
	}

	// Socket.Broadcast excludes the sender.
	res = goEmitWithAck(ctx, socks[0].Broadcast(), "q")
	for i, w := range ws[1:] {
		id, _ := splitAckEvent(t, w.recv())
		w.send(fmt.Sprintf(`3%d["b%d"]`, id, i+1))
	}
	r = waitResult(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"b1", "b2", "b3"}) {
		t.Fatalf("answers %q", got)
	}
	ws[0].noMessage(50 * time.Millisecond)
}

func TestBroadcastEmitWithAckNoRecipient(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	w, _ := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	acks, err := srv.Of("/").To("nobody").EmitWithAck(ctx, "q")
	if err != nil || len(acks) != 0 {
		t.Fatalf("acks %v, err %v", acks, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v with no recipient", d)
	}
	w.noMessage(50 * time.Millisecond)
}

func TestBroadcastEmitWithAckBinary(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	ws := make([]*wire, 2)
	for i := range ws {
		ws[i], _ = connectWire(t, srv, url)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	res := goEmitWithAck(ctx, srv.Of("/"), "bin", []byte{1, 2, 3}, "x")
	for i, w := range ws {
		pkt := w.recv()
		id, payload := splitAckEvent(t, pkt)
		if !strings.HasPrefix(pkt, "51-") || payload != `["bin",{"_placeholder":true,"num":0},"x"]` {
			t.Fatalf("packet %q", pkt)
		}
		if b := w.recvBin(); string(b) != "\x01\x02\x03" {
			t.Fatalf("attachment %v", b)
		}
		w.send(fmt.Sprintf(`61-%d[{"_placeholder":true,"num":0},"ok"]`, id))
		w.sendBin([]byte{9, byte(i)})
	}
	r := waitResult(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got []string
	for _, a := range r.acks {
		v, err := a.Value(0)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := v.([]byte)
		if !ok || len(b) != 2 || b[0] != 9 {
			t.Fatalf("binary answer %#v", v)
		}
		got = append(got, fmt.Sprint(b[1]))
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"0", "1"}) {
		t.Fatalf("answers %q", got)
	}
}

// echoAcks answers every event that asks for an ack with the event's
// arguments, until the connection closes. It reports protocol surprises on
// errs rather than failing from a goroutine.
func echoAcks(w *wire, errs chan<- error) {
	for f := range w.in {
		if f.binary || !strings.HasPrefix(f.data, "42") {
			errs <- fmt.Errorf("unexpected frame %q", f.data)
			continue
		}
		rest := f.data[2:]
		i := strings.IndexByte(rest, '[')
		if i <= 0 {
			errs <- fmt.Errorf("event without ack id: %q", f.data)
			continue
		}
		var raw []json.RawMessage
		if err := json.Unmarshal([]byte(rest[i:]), &raw); err != nil || len(raw) < 2 {
			errs <- fmt.Errorf("payload %q: %v", rest[i:], err)
			continue
		}
		if err := w.c.WriteMessage(false, []byte("43"+rest[:i]+"["+string(raw[1])+"]")); err != nil {
			return
		}
	}
}

// Broadcasts with ack and the sockets' own EmitWithAck run at once on the
// same sockets; each caller must get the answers to its own event.
func TestBroadcastEmitWithAckConcurrentWithSocketAcks(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	const n = 3
	ws := make([]*wire, n)
	socks := make([]*socketio.Socket, n)
	errs := make(chan error, 100)
	var responders sync.WaitGroup
	for i := range ws {
		ws[i], socks[i] = connectWire(t, srv, url)
		responders.Go(func() { echoAcks(ws[i], errs) })
	}
	ns := srv.Of("/")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	const rounds = 30
	var callers sync.WaitGroup
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	for g := range 3 {
		callers.Go(func() {
			for i := range rounds {
				want := fmt.Sprintf("b-%d-%d", g, i)
				acks, err := ns.EmitWithAck(ctx, "bq", want)
				if err != nil {
					fail(err)
					return
				}
				if len(acks) != n {
					fail(fmt.Errorf("%s: %d answers", want, len(acks)))
				}
				for _, a := range acks {
					var got string
					if err := a.Unmarshal(0, &got); err != nil || got != want {
						fail(fmt.Errorf("broadcast %s got answer %q (%v)", want, got, err))
					}
				}
			}
		})
	}
	for k, s := range socks {
		callers.Go(func() {
			for i := range rounds {
				want := fmt.Sprintf("s-%d-%d", k, i)
				a, err := s.EmitWithAck(ctx, "sq", want)
				if err != nil {
					fail(err)
					return
				}
				var got string
				if err := a.Unmarshal(0, &got); err != nil || got != want {
					fail(fmt.Errorf("socket emit %s got answer %q (%v)", want, got, err))
				}
			}
		})
	}
	callers.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	for _, s := range socks {
		if p := socketio.PendingAcks(s); p != 0 {
			t.Fatalf("%d acks pending", p)
		}
	}
	for _, w := range ws {
		w.close()
	}
	responders.Wait()
}

func TestBroadcastEmitWithAckOnEmit(t *testing.T) {
	errNope := errors.New("nope")
	var seen []string
	var mu sync.Mutex
	srv, url := newServer(t, socketio.Config{
		OnEmit: func(_ *socketio.Namespace, event string, args []any) ([]any, error) {
			mu.Lock()
			seen = append(seen, event)
			mu.Unlock()
			switch event {
			case "forbidden":
				return nil, errNope
			case "swap":
				return []any{json.RawMessage(`{"validated":true}`)}, nil
			}
			return args, nil
		},
	})
	w, _ := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	ns := srv.Of("/")
	if _, err := ns.EmitWithAck(ctx, "forbidden", 1); !errors.Is(err, errNope) {
		t.Fatalf("err = %v, want the OnEmit error", err)
	}
	w.noMessage(50 * time.Millisecond)
	res := goEmitWithAck(ctx, ns, "swap", "raw input")
	id, payload := splitAckEvent(t, w.recv())
	if payload != `["swap",{"validated":true}]` {
		t.Fatalf("payload %s: OnEmit's arguments were not used", payload)
	}
	w.send(fmt.Sprintf(`3%d["ok"]`, id))
	if r := waitResult(t, res); r.err != nil || len(r.acks) != 1 {
		t.Fatalf("acks %v, err %v", r.acks, r.err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []string{"forbidden", "swap"}) {
		t.Fatalf("OnEmit saw %q", seen)
	}
}

func TestBroadcastEmitWithAckReservedAndDoneContext(t *testing.T) {
	srv, _ := newServer(t, socketio.Config{})
	ns := srv.Of("/")
	if _, err := ns.EmitWithAck(t.Context(), "disconnect"); !errors.Is(err, socketio.ErrReservedEvent) {
		t.Fatalf("err = %v, want ErrReservedEvent", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ns.EmitWithAck(ctx, "q"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// plainAdapter hides the in-memory adapter's optional interfaces, as a
// custom adapter that does not implement AckBroadcaster would.
type plainAdapter struct{ socketio.Adapter }

func TestBroadcastEmitWithAckAdapterFallback(t *testing.T) {
	srv, url := newServer(t, socketio.Config{
		Adapter: func(ns *socketio.Namespace) socketio.Adapter {
			return plainAdapter{socketio.NewMemoryAdapter(ns)}
		},
	})
	if _, ok := srv.Of("/").Adapter().(socketio.AckBroadcaster); ok {
		t.Fatal("the test adapter must not implement AckBroadcaster")
	}
	in, s := connectWire(t, srv, url)
	out, _ := connectWire(t, srv, url)
	s.Join("r")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	res := goEmitWithAck(ctx, srv.Of("/").To("r"), "q")
	id, _ := splitAckEvent(t, in.recv())
	in.send(fmt.Sprintf(`3%d["here"]`, id))
	r := waitResult(t, res)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"here"}) {
		t.Fatalf("answers %q", got)
	}
	out.noMessage(50 * time.Millisecond)
}

// A broadcast's ack id never equals an ack id the socket itself has
// pending, whatever both counters have reached: each round leaves one to
// three socket acks pending, then broadcasts.
func TestBroadcastEmitWithAckIDsDistinctFromSocketAcks(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	w, s := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for round := range 6 {
		k := round%3 + 1
		own := make([]chan ackResult, k)
		ids := make(map[uint64]int)
		for j := range own {
			own[j] = make(chan ackResult, 1)
			go func() {
				a, err := s.EmitWithAck(ctx, "sq", fmt.Sprint("s", j))
				own[j] <- ackResult{acks: []socketio.Args{a}, err: err}
			}()
			id, payload := splitAckEvent(t, w.recv())
			if payload != fmt.Sprintf(`["sq","s%d"]`, j) {
				t.Fatalf("payload %s", payload)
			}
			ids[id] = j
		}
		bc := goEmitWithAck(ctx, srv.Of("/"), "bq", "b")
		bid, _ := splitAckEvent(t, w.recv())
		if _, dup := ids[bid]; dup {
			t.Fatalf("round %d: the broadcast reuses the pending socket ack id %d", round, bid)
		}
		w.send(fmt.Sprintf(`3%d["b"]`, bid))
		for id, j := range ids {
			w.send(fmt.Sprintf(`3%d["s%d"]`, id, j))
		}
		for j, ch := range own {
			if r := waitResult(t, ch); r.err != nil || ackStrings(t, r.acks)[0] != fmt.Sprint("s", j) {
				t.Fatalf("round %d: socket ack %d = %v, err %v", round, j, r.acks, r.err)
			}
		}
		if r := waitResult(t, bc); r.err != nil || len(r.acks) != 1 || ackStrings(t, r.acks)[0] != "b" {
			t.Fatalf("round %d: broadcast acks %v, err %v", round, r.acks, r.err)
		}
	}
}

// With connection state recovery, a broadcast with ack gets no offset
// argument (it is never replayed, as in Node).
func TestBroadcastEmitWithAckNoRecoveryOffset(t *testing.T) {
	srv, url := newServer(t, socketio.Config{Recovery: &socketio.RecoveryConfig{MaxDisconnectionDuration: time.Minute}})
	w, _ := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := srv.Of("/").Emit(ctx, "plain"); err != nil {
		t.Fatal(err)
	}
	if got := w.recv(); !strings.HasPrefix(got, `2["plain","`) {
		t.Fatalf("plain broadcast %q: want an offset argument", got)
	}
	res := goEmitWithAck(ctx, srv.Of("/"), "q", 1)
	id, payload := splitAckEvent(t, w.recv())
	if payload != `["q",1]` {
		t.Fatalf("payload %s, want no offset", payload)
	}
	w.send(fmt.Sprintf(`3%d[]`, id))
	if r := waitResult(t, res); r.err != nil || len(r.acks) != 1 || r.acks[0].Len() != 0 {
		t.Fatalf("acks %v, err %v", r.acks, r.err)
	}
}
