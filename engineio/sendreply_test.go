package engineio_test

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/engineio"
)

func TestSendReplyWebSocket(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	c := e.conn()
	if err := c.SendReply(engineio.Message{Data: []byte("r1")}); err != nil {
		t.Fatal(err)
	}
	// On an idle WebSocket the caller wrote the reply itself: nothing is left queued when
	// SendReply returns (a hand-off to a writer goroutine would leave it queued for a while).
	if !c.Writable() {
		t.Fatal("reply still queued after SendReply returned")
	}
	if m := mustReadWS(t, ws); m != "4r1" {
		t.Fatalf("got %q", m)
	}
	if err := c.SendReply(engineio.Message{Data: []byte{1, 2}, Binary: true}); err != nil {
		t.Fatal(err)
	}
	if m := readWS(t, ws); m.data != "\x01\x02" || !m.binary {
		t.Fatalf("got %+v", m)
	}
	_ = c.Close()
	if err := c.SendReply(engineio.Message{Data: []byte("late")}); !errors.Is(err, engineio.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	e.closeEvent()
}

// Replies and ordinary sends from many goroutines: each goroutine's messages arrive complete
// and in order, whoever writes them (an inline replier hands what others queued meanwhile to
// a writer goroutine).
func TestSendReplyConcurrentWithSend(t *testing.T) {
	e := newEnv(t, engineio.Config{MaxQueueBytes: 64 << 20})
	ws := e.dial("EIO=4&transport=websocket")
	mustReadWS(t, ws)
	c := e.conn()
	const senders, per = 8, 400
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range per {
				msg, _ := json.Marshal([2]int{s, i})
				send := c.Send
				if s%2 == 0 || i%3 == 0 {
					send = c.SendReply
				}
				if err := send(engineio.Message{Data: msg}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	readInOrder(t, ws, senders, per)
	wg.Wait()
	// Every writer has given its role back: a close flushes and finishes.
	_ = c.Close()
	if ev := e.closeEvent(); ev.reason != engineio.ReasonForcedClose {
		t.Fatalf("reason %q", ev.reason)
	}
}

func TestSendReplyPolling(t *testing.T) {
	e := newEnv(t, engineio.Config{MaxQueueBytes: 100})
	sid, c := e.pollingSession()
	if err := c.SendReply(engineio.Message{Data: []byte("r")}); err != nil {
		t.Fatal(err)
	}
	if _, b, _ := e.do("GET", "EIO=4&transport=polling&sid="+sid, "", nil); b != "4r" {
		t.Fatalf("got %q", b)
	}
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		err = c.SendReply(engineio.Message{Data: []byte("0123456789")})
	}
	if !errors.Is(err, engineio.ErrQueueFull) {
		t.Fatalf("err %v", err)
	}
	if ev := e.closeEvent(); ev.reason != engineio.ReasonSlowConsumer {
		t.Fatalf("reason %q", ev.reason)
	}
}

// OnClose never runs inside Send: a sender may hold a lock the callback takes (a Socket.IO
// broadcast holds its namespace's). A polling session with no GET pending closes at once on
// overflow, which used to call OnClose on the sender's goroutine: a deadlock in real code, a
// timed-out lock here.
func TestOverflowCloseNotInsideSend(t *testing.T) {
	lock := make(chan struct{}, 1) // a lock: full while held
	type closed struct {
		reason   engineio.CloseReason
		deadlock bool // the callback could not take the lock its sender held
	}
	closes := make(chan closed, 1)
	conns := make(chan *engineio.Conn, 1)
	e := newEnv(t, engineio.Config{MaxQueueBytes: 100, OnConnection: func(c *engineio.Conn) {
		c.OnClose(func(reason engineio.CloseReason, _ error) {
			select {
			case lock <- struct{}{}:
				<-lock
				closes <- closed{reason, false}
			case <-time.After(3 * time.Second):
				closes <- closed{reason, true}
			}
		})
		conns <- c
	}})
	if st, body, _ := e.do("GET", "EIO=4&transport=polling", "", nil); st != 200 {
		t.Fatalf("handshake: %d %s", st, body)
	}
	c := <-conns
	lock <- struct{}{}
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		err = c.Send(engineio.Message{Data: []byte("0123456789")})
	}
	late := c.Send(engineio.Message{Data: []byte("late")})
	<-lock
	if !errors.Is(err, engineio.ErrQueueFull) {
		t.Fatalf("send: %v, want ErrQueueFull", err)
	}
	if !errors.Is(late, engineio.ErrClosed) {
		t.Fatalf("send after the overflow: %v, want ErrClosed", late)
	}
	if cl := <-closes; cl.deadlock || cl.reason != engineio.ReasonSlowConsumer {
		t.Fatalf("close %+v: OnClose must run outside Send, with reason %q", cl, engineio.ReasonSlowConsumer)
	}
}
