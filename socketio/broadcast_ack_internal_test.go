package socketio

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A volatile broadcast with ack skips the sockets that cannot take it now
// and does not wait for them (Node counts them and so always times out).
func TestPipeVolatileBroadcastWithAck(t *testing.T) {
	srv := newTestServer(t, Config{})
	busy, ready := dialPipe(t, srv), dialPipe(t, srv)
	connectMain(t, busy, "/")
	connectMain(t, ready, "/")
	busy.tr.mu.Lock()
	busy.tr.busy = true
	busy.tr.mu.Unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	type result struct {
		acks []Args
		err  error
	}
	res := make(chan result, 1)
	go func() {
		acks, err := srv.Of("/").Volatile().EmitWithAck(ctx, "q")
		res <- result{acks, err}
	}()
	pkt := ready.expect("2")
	id, _, ok := strings.Cut(strings.TrimPrefix(pkt, "2"), "[")
	if !ok {
		t.Fatalf("packet %q", pkt)
	}
	ready.send(fmt.Sprintf(`3%s["ok"]`, id))
	select {
	case r := <-res:
		if r.err != nil || len(r.acks) != 1 {
			t.Fatalf("acks %v, err %v", r.acks, r.err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the call waited for the socket the event was not sent to")
	}
	select {
	case m := <-busy.tr.out:
		t.Fatalf("busy socket got %q", m.Data)
	default:
	}
	busy.close()
	ready.close()
}

// The collector completes only once every server reported and each counted
// socket answered or was lost, whatever the order of the reports.
func TestAckCollectorOrder(t *testing.T) {
	done := func(c *ackCollector) bool {
		select {
		case <-c.done:
			return true
		default:
			return false
		}
	}
	c := newAckCollector()
	c.Ack(Args{}) // an answer before its server's count
	c.Lost()
	c.Expect(2)
	if done(c) {
		t.Fatal("done before the server count is known")
	}
	c.setServers(2)
	if done(c) {
		t.Fatal("done before the second server reported")
	}
	c.Expect(1)
	if done(c) {
		t.Fatal("done with an answer missing")
	}
	c.Ack(Args{})
	if !done(c) {
		t.Fatal("not done with every answer in")
	}
	r := c.finish()
	if !r.complete || r.expected != 3 || r.lost != 1 || len(r.responses) != 2 {
		t.Fatalf("result %+v", r)
	}
	c.Ack(Args{}) // late: ignored
	if len(c.finish().responses) != 2 {
		t.Fatal("a late answer was kept")
	}
}
