package socketio_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

// Once the Go client's Connect has returned (it has the CONNECT answer), the
// server lists the socket and a namespace broadcast issued then reaches it,
// while other broadcasts flood the namespace. No waits, no retries. Over a
// real network the window this guards is narrow (the server goes on while
// CONNECT travels); TestJoinAtomicWithBroadcasts probes it on a pipe.
func TestGoClientListedRightAfterConnect(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	ns := srv.Of("/")
	defer flood(ns)()

	for _, tr := range []client.Transport{client.WebSocket, client.Polling} {
		t.Run(string(tr), func(t *testing.T) {
			for i := range 20 {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				m, err := client.NewManager(url, client.Config{Transports: []client.Transport{tr}, Reconnection: client.Reconnection{Disable: true}})
				if err != nil {
					t.Fatal(err)
				}
				s := m.Socket("/", nil)
				hello := make(chan string, 1)
				s.On("hello", func(_ context.Context, a client.Args) []any {
					if v, _ := a.Values(); len(v) == 1 && v[0] == s.ID() {
						hello <- s.ID()
					}
					return nil
				})
				if err := s.Connect(ctx); err != nil {
					t.Fatal(err)
				}
				sid := socketio.SocketID(s.ID())
				sock := ns.Socket(sid)
				if sock == nil || !slices.Contains(ns.Sockets(), sock) {
					t.Fatalf("connection %d: socket %s not listed right after Connect", i, sid)
				}
				if err := ns.Emit(ctx, "hello", string(sid)); err != nil {
					t.Fatal(err)
				}
				select {
				case <-hello:
				case <-ctx.Done():
					t.Fatalf("connection %d: the broadcast issued after Connect did not arrive", i)
				}
				_ = m.Close()
				cancel()
			}
		})
	}
}

// flood broadcasts "tick" to ns in a loop until the returned stop is called.
// The ticks are volatile, so a client busy connecting builds no backlog.
func flood(ns *socketio.Namespace) (stop func()) {
	done := make(chan struct{})
	var loop sync.WaitGroup
	loop.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				_ = ns.Volatile().Emit(context.Background(), "tick")
			}
		}
	})
	return func() { close(done); loop.Wait() }
}

// Raw WebSocket clients connecting while the namespace is flooded with
// broadcasts: the first Socket.IO packet each gets is its CONNECT answer.
func TestNoBroadcastBeforeConnectOverWebSocket(t *testing.T) {
	srv, url := newServer(t, socketio.Config{})
	ns := srv.Of("/")
	defer flood(ns)()
	for i := range 30 {
		w := dial(t, url)
		w.send("0")
		first := w.recv()
		if !strings.HasPrefix(first, `0{"sid":"`) {
			t.Fatalf("connection %d: first packet %q, want CONNECT", i, first)
		}
		sid := strings.TrimSuffix(strings.TrimPrefix(first, `0{"sid":"`), `"}`)
		if ns.Socket(socketio.SocketID(sid)) == nil {
			t.Fatalf("connection %d: socket %s not listed right after CONNECT", i, sid)
		}
		msg := fmt.Sprintf("after-%d", i)
		if err := ns.To(socketio.Room(sid)).Emit(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		for got := w.recv(); got != `2["`+msg+`"]`; got = w.recv() {
			if got != `2["tick"]` {
				t.Fatalf("connection %d: got %q waiting for %q", i, got, msg)
			}
		}
		w.close()
	}
}
