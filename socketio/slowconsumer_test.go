package socketio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

// A recipient whose outbound queue overflows during a broadcast is closed
// without stalling the broadcast (or the namespace): the engine must not
// report the close from inside Send, where the adapter's locks are held.
func TestBroadcastOverflowClosesOnlyTheSlowSocket(t *testing.T) {
	srv, url := newServer(t, socketio.Config{Engine: engineio.Config{MaxQueueBytes: 64 << 10}})
	gone := make(chan socketio.DisconnectReason, 1)
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		s.OnDisconnect(func(r socketio.DisconnectReason) { gone <- r })
	})
	w := dial(t, url)
	w.send("0")
	w.expectPrefix("0{")

	big := strings.Repeat("x", 100<<10) // larger than the queue bound: the send overflows
	done := make(chan error, 1)
	go func() { done <- srv.Of("/").Emit(context.Background(), "big", big) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("broadcast: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("broadcast stalled on a slow consumer")
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the slow socket was not disconnected")
	}
	if n := srv.Of("/").Len(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}
