package socketio_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/socketio"
)

var errBadAck = errors.New("bad ack")

// ackHookLog is a Config.OnAck that records what it sees and refuses an
// ack whose first argument is "bad".
type ackHookLog struct {
	mu   sync.Mutex
	seen []string
}

func (h *ackHookLog) hook(ns *socketio.Namespace, event string, args socketio.Args) error {
	var first string
	_ = args.Unmarshal(0, &first)
	h.mu.Lock()
	h.seen = append(h.seen, ns.Name()+" "+event+" "+first)
	h.mu.Unlock()
	if first == "bad" {
		return errBadAck
	}
	return nil
}

func (h *ackHookLog) calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := slices.Clone(h.seen)
	slices.Sort(out)
	return out
}

// Socket.EmitWithAck passes the client's ack through OnAck, with the event's
// name: a refused ack is returned with the hook's error, wrapped.
func TestOnAckSocketEmitWithAck(t *testing.T) {
	var h ackHookLog
	srv, url := newServer(t, socketio.Config{OnAck: h.hook})
	w, s := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	if err := s.Emit(ctx, "plain"); err != nil { // no ack asked: no hook call
		t.Fatal(err)
	}
	w.expect(`2["plain"]`)
	for _, answer := range []string{"good", "bad"} {
		type result struct {
			a   socketio.Args
			err error
		}
		res := make(chan result, 1)
		go func() {
			a, err := s.EmitWithAck(ctx, "q", 1)
			res <- result{a, err}
		}()
		id, payload := splitAckEvent(t, w.recv())
		if payload != `["q",1]` {
			t.Fatalf("payload %s", payload)
		}
		w.send(fmt.Sprintf(`3%d[%q]`, id, answer))
		r := <-res
		if r.a.Len() != 1 || string(r.a.Raw(0)) != `"`+answer+`"` {
			t.Fatalf("%s: ack %v, want the client's answer", answer, r.a)
		}
		switch answer {
		case "good":
			if r.err != nil {
				t.Fatalf("valid ack: %v", r.err)
			}
		case "bad":
			if !errors.Is(r.err, errBadAck) || !strings.Contains(r.err.Error(), `ack of "q"`) {
				t.Fatalf("refused ack: err %v, want the hook's error wrapped", r.err)
			}
		}
	}
	if got := h.calls(); !slices.Equal(got, []string{"/ q bad", "/ q good"}) {
		t.Fatalf("OnAck saw %q", got)
	}
}

// OnAck runs on the EmitWithAck caller's goroutine, not on the connection's
// read loop: a hook that blocks on one ack does not keep the next ack of the
// same connection from being read and checked.
func TestOnAckNotOnReadLoop(t *testing.T) {
	fastChecked := make(chan struct{})
	srv, url := newServer(t, socketio.Config{OnAck: func(_ *socketio.Namespace, event string, _ socketio.Args) error {
		switch event {
		case "slow":
			select {
			case <-fastChecked:
			case <-time.After(5 * time.Second):
				return errors.New("the fast ack was not checked while the slow one's hook ran")
			}
		case "fast":
			close(fastChecked)
		}
		return nil
	}})
	w, s := connectWire(t, srv, url)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	errs := make(chan error, 2)
	go func() { _, err := s.EmitWithAck(ctx, "slow"); errs <- err }()
	slowID, _ := splitAckEvent(t, w.recv())
	go func() { _, err := s.EmitWithAck(ctx, "fast"); errs <- err }()
	fastID, _ := splitAckEvent(t, w.recv())
	w.send(fmt.Sprintf(`3%d[]`, slowID))
	w.send(fmt.Sprintf(`3%d[]`, fastID))
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// A broadcast with ack passes each answer through OnAck: refused answers are
// left out and their errors joined with the call's own (here, a deadline).
func TestOnAckBroadcastEmitWithAck(t *testing.T) {
	var h ackHookLog
	srv, url := newServer(t, socketio.Config{OnAck: h.hook})
	var ws []*wire
	for range 3 {
		w, _ := connectWire(t, srv, url)
		ws = append(ws, w)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	res := goEmitWithAck(ctx, srv.Of("/"), "poll")
	for i, w := range ws {
		id, _ := splitAckEvent(t, w.recv())
		w.send(fmt.Sprintf(`3%d[%q]`, id, []string{"good", "bad", "fine"}[i]))
	}
	r := waitResult(t, res)
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"fine", "good"}) {
		t.Fatalf("answers %q, want the two accepted ones", got)
	}
	if !errors.Is(r.err, errBadAck) || !strings.Contains(r.err.Error(), `ack of "poll"`) {
		t.Fatalf("err %v, want the refused answer's error", r.err)
	}
	if got := h.calls(); !slices.Equal(got, []string{"/ poll bad", "/ poll fine", "/ poll good"}) {
		t.Fatalf("OnAck saw %q", got)
	}

	// A silent recipient: the deadline and the refused answer, both.
	short, cancelShort := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancelShort()
	res = goEmitWithAck(short, srv.Of("/"), "poll")
	for i, w := range ws {
		id, _ := splitAckEvent(t, w.recv())
		if i < 2 {
			w.send(fmt.Sprintf(`3%d[%q]`, id, []string{"bad", "good"}[i]))
		}
	}
	r = waitResult(t, res)
	if got := ackStrings(t, r.acks); !slices.Equal(got, []string{"good"}) {
		t.Fatalf("answers %q, want the accepted one", got)
	}
	if !errors.Is(r.err, errBadAck) || !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the refused answer and the deadline", r.err)
	}
}
