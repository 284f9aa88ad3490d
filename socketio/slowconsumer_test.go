package socketio_test

import (
	"context"
	"encoding/json"
	"slices"
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

// pollingSession opens a polling session, joins "/" and reads the CONNECT
// answer, so that no GET is pending afterwards: the engine then finishes a
// session whose queue overflows on the goroutine that sent.
func pollingSession(t *testing.T, url string) string {
	t.Helper()
	open := pollingGet(t, url+"/socket.io/?EIO=4&transport=polling")
	var hs struct{ SID string }
	if err := json.Unmarshal([]byte(open[1:]), &hs); err != nil {
		t.Fatal(err)
	}
	u := url + "/socket.io/?EIO=4&transport=polling&sid=" + hs.SID
	pollingPost(t, u, "40")
	if got := pollingGet(t, u); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("got %q", got)
	}
	return u
}

// The engine reports a queue-full close from inside the Send that overflowed
// when no polling GET is pending. A broadcast sends under the adapter's and
// the namespace's read locks, which closing the socket takes: the close must
// not run there (it used to deadlock).
func TestBroadcastOverflowPollingNoPendingGet(t *testing.T) {
	srv, url := newServer(t, socketio.Config{Engine: engineio.Config{MaxQueueBytes: 64 << 10}})
	gone := make(chan socketio.DisconnectReason, 1)
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		s.OnDisconnect(func(r socketio.DisconnectReason) { gone <- r })
	})
	pollingSession(t, url)
	done := make(chan error, 1)
	go func() { done <- srv.Of("/").Emit(context.Background(), "big", strings.Repeat("x", 100<<10)) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("broadcast: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("broadcast deadlocked on a slow consumer")
	}
	select {
	case r := <-gone:
		if r != "slow consumer" {
			t.Fatalf("reason %q", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the slow socket was not disconnected")
	}
	if n := srv.Of("/").Len(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// Same for the CONNECT answer, which is queued while the socket joins its
// namespace (under the socket's and the namespace's locks): a CONNECT that
// overflows the queue closes the session without deadlocking the join.
func TestConnectOverflowPollingNoPendingGet(t *testing.T) {
	srv, url := newServer(t, socketio.Config{Engine: engineio.Config{MaxQueueBytes: 64 << 10}})
	reasons := make(chan string, 2)
	for _, name := range []string{"/", "/admin"} {
		srv.Of(name).OnConnection(func(s *socketio.Socket) {
			s.OnDisconnect(func(r socketio.DisconnectReason) { reasons <- name + " " + string(r) })
		})
	}
	u := pollingSession(t, url)
	// Fill the queue to a few bytes under its bound, then connect to /admin:
	// its CONNECT answer overflows.
	if err := srv.Of("/").Emit(context.Background(), "fill", strings.Repeat("x", 64<<10-40)); err != nil {
		t.Fatal(err)
	}
	pollingPost(t, u, "40/admin,")
	got := make([]string, 0, 2)
	for len(got) < 2 {
		select {
		case r := <-reasons:
			got = append(got, r)
		case <-time.After(5 * time.Second):
			t.Fatalf("disconnects %v: the join deadlocked", got)
		}
	}
	slices.Sort(got)
	if want := []string{"/ slow consumer", "/admin slow consumer"}; !slices.Equal(got, want) {
		t.Fatalf("disconnects %v, want %v", got, want)
	}
	if n := srv.Of("/").Len() + srv.Of("/admin").Len(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}
