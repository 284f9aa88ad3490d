package socketio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// EmitWithAck sends the event to every selected socket, asking each for an
// acknowledgement, and waits for the answers (Node's
// io.to(room).timeout(ms).emitWithAck). The event is encoded once, with one
// ack id valid on every recipient. It returns the answers in arrival order,
// one [Args] per recipient (every argument of its ACK; Node keeps only the
// first), when every recipient has answered; with no recipient it returns
// at once, with no answers and no error.
//
// Use context.WithTimeout for the deadline (Node's timeout(ms)). When ctx is
// done first, EmitWithAck returns the answers received so far and an error
// wrapping ctx.Err() (errors.Is(err, context.DeadlineExceeded) for a
// timeout, Node's "operation has timed out"); the ack id is then dropped
// from the recipients, so a late answer is ignored.
//
// A recipient that disconnects before answering will never answer (its ack
// is not replayed after a recovery either). Node lets such a call run to its
// timeout; here, as [Socket.EmitWithAck] does for one socket, the call
// returns as soon as every other recipient has answered, with their answers
// and an error wrapping [ErrDisconnected]. Only disconnections the adapter
// reports count: a cluster adapter that does not report another server's
// (see [AckSink]) leaves the call to its deadline, as in Node.
//
// Volatile: a recipient whose transport cannot take the event now is
// skipped and not waited for (Node still counts it, so such a call always
// times out). With Local, only this server's answers are awaited (Node
// still waits for every server of the cluster). The event gets no recovery
// offset and is not kept for replay (as in Node, and as Socket.EmitWithAck).
//
// Config.OnEmit sees the event before it is encoded, and Config.OnAck each
// answer before it is returned, on this goroutine: an answer the hook
// refuses is left out of the result and the hook's error, wrapped, is
// joined (errors.Join) with the call's own error, if any. EmitWithAck
// returns [ErrReservedEvent] for a reserved name, an encoding error for an
// argument encoding/json cannot encode, and the adapter's errors wrapped.
func (b BroadcastOperator) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("emit %q: %w", event, err)
	}
	if isReserved(event) {
		return nil, fmt.Errorf("emit %q: %w", event, ErrReservedEvent)
	}
	args, err := b.ns.srv.checkEmit(b.ns, event, args)
	if err != nil {
		return nil, err
	}
	pkt, err := newEncodedPacket(b.ns.name, event, args)
	if err != nil {
		return nil, err
	}
	// The adapter drops the pending acks when this ctx ends, so cancelling
	// it on return cleans up whatever way the call ends.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := newAckCollector()
	opts := b.Options()
	if ab, ok := b.ns.adapter.(AckBroadcaster); ok {
		if err := ab.BroadcastWithAck(ctx, pkt, opts, c); err != nil {
			return nil, fmt.Errorf("broadcast %q: %w", event, err)
		}
		servers := 1
		if !opts.Flags.Local {
			if servers, err = ab.ServerCount(ctx); err != nil {
				return nil, fmt.Errorf("broadcast %q: server count: %w", event, err)
			}
		}
		c.setServers(servers)
	} else {
		b.ns.deliverWithAck(ctx, pkt, b.Sockets(), opts.Flags.Volatile, c)
		c.setServers(1)
	}
	select {
	case <-c.done:
	case <-ctx.Done():
	}
	res := c.finish()
	switch {
	case res.complete && res.lost == 0:
		err = nil
	case res.complete:
		err = fmt.Errorf("emit %q: %d of %d recipients disconnected before answering: %w",
			event, res.lost, res.expected, ErrDisconnected)
	case res.counted:
		err = fmt.Errorf("emit %q: %d of %d recipients answered (%d disconnected): %w",
			event, len(res.responses), res.expected, res.lost, ctx.Err())
	default:
		err = fmt.Errorf("emit %q: %d answers, some servers did not report their recipients: %w",
			event, len(res.responses), ctx.Err())
	}
	if b.ns.srv.cfg.OnAck == nil || len(res.responses) == 0 {
		return res.responses, err
	}
	return b.ns.srv.checkAcks(b.ns, event, res.responses, err)
}

// checkAcks runs Config.OnAck on each answer of a broadcast with ack: it
// keeps the answers the hook accepts (in place: the collector is finished,
// so responses is the caller's) and joins the hook's errors after err.
func (srv *Server) checkAcks(ns *Namespace, event string, responses []Args, err error) ([]Args, error) {
	var errs []error
	valid := responses[:0]
	for _, a := range responses {
		if aerr := srv.checkAck(ns, event, a); aerr != nil {
			errs = append(errs, aerr)
			continue
		}
		valid = append(valid, a)
	}
	if errs == nil {
		return valid, err
	}
	clear(responses[len(valid):])
	return valid, errors.Join(append([]error{err}, errs...)...)
}

// ackCollector is the [AckSink] of one EmitWithAck: it counts what the
// servers report and closes done when every expected answer is in.
type ackCollector struct {
	done chan struct{}

	mu          sync.Mutex
	finished    bool // done is closed or the caller stopped waiting
	wantServers int  // -1 until ServerCount answered
	servers     int  // Expect calls so far
	expected    int  // sum of Expect's n
	lost        int
	responses   []Args
}

func newAckCollector() *ackCollector {
	return &ackCollector{done: make(chan struct{}), wantServers: -1}
}

// Expect implements [AckSink].
func (c *ackCollector) Expect(n int) {
	c.mu.Lock()
	c.servers++
	c.expected += n
	c.checkLocked()
	c.mu.Unlock()
}

// Ack implements [AckSink].
func (c *ackCollector) Ack(a Args) {
	c.mu.Lock()
	if !c.finished {
		c.responses = append(c.responses, a)
		c.checkLocked()
	}
	c.mu.Unlock()
}

// Lost implements [AckSink].
func (c *ackCollector) Lost() {
	c.mu.Lock()
	if !c.finished {
		c.lost++
		c.checkLocked()
	}
	c.mu.Unlock()
}

func (c *ackCollector) setServers(n int) {
	c.mu.Lock()
	c.wantServers = n
	c.checkLocked()
	c.mu.Unlock()
}

// checkLocked closes done once every server reported and each socket it
// counted answered or was lost. More servers than ServerCount said (one
// joined meanwhile) still completes: their counts are included.
func (c *ackCollector) checkLocked() {
	if c.finished || c.wantServers < 0 || c.servers < c.wantServers || len(c.responses)+c.lost < c.expected {
		return
	}
	c.finished = true
	close(c.done)
}

type ackResult struct {
	responses      []Args
	expected, lost int
	counted        bool // every server reported its recipients
	complete       bool
}

// finish stops collecting and returns what was collected; complete reports
// whether done was closed (every answer in), even if ctx ended too.
func (c *ackCollector) finish() ackResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := ackResult{responses: c.responses, expected: c.expected, lost: c.lost,
		counted: c.wantServers >= 0 && c.servers >= c.wantServers}
	select {
	case <-c.done:
		r.complete = true
	default:
	}
	c.finished = true
	return r
}

// nextBroadcastAck returns a new ack id for a broadcast. The ids are odd,
// from one counter of the namespace, so one id is unused on every socket of
// the namespace: sockets number their own acks with even ids. (Node shares
// one counter between socket and broadcast acks; this keeps
// Socket.EmitWithAck off a shared atomic.)
func (ns *Namespace) nextBroadcastAck() uint64 { return ns.broadcastAcks.Add(1)*2 - 1 }

// localAck is one server's delivery of a broadcast with ack: the sockets
// its id is registered on, until each answered, disconnected or ctx ended.
type localAck struct {
	id    uint64
	sink  AckSink
	socks []*Socket
	// pending counts the registered sockets not settled yet, plus one held
	// by deliverWithAck until it has registered and sent everything, so it
	// cannot reach zero early.
	pending atomic.Int64
	stop    func() bool // stops the ctx cleanup once nothing is pending
}

// answer is called (read loop) with a recipient's ACK; its entry is gone.
func (l *localAck) answer(a Args) {
	l.sink.Ack(a)
	l.settled()
}

// lost is called when a recipient closes with the ack pending.
func (l *localAck) lost() {
	l.sink.Lost()
	l.settled()
}

func (l *localAck) settled() {
	if l.pending.Add(-1) == 0 && l.stop != nil {
		l.stop()
	}
}

// cleanup drops the id still pending on the recipients (ctx ended).
func (l *localAck) cleanup() {
	for _, s := range l.socks {
		s.dropBroadcastAck(l.id, l)
	}
}

// deliverWithAck sends pkt with a new ack id to socks and reports to sink.
// The id is registered on every recipient before the packet goes to any of
// them, so even the fastest answer finds it. A socket that has disconnected,
// or, when volatile, cannot take the packet now, is not a recipient. No
// adapter or namespace lock is held: registering takes Socket.mu. socks
// belongs to deliverWithAck (it is filtered in place).
func (ns *Namespace) deliverWithAck(ctx context.Context, pkt *EncodedPacket, socks []*Socket, volatile bool, sink AckSink) {
	l := &localAck{id: ns.nextBroadcastAck(), sink: sink}
	l.pending.Store(1)
	recipients := socks[:0]
	for _, s := range socks {
		if volatile && !s.cl.tr.writable() {
			continue
		}
		l.pending.Add(1)
		if !s.addBroadcastAck(l.id, l) {
			l.pending.Add(-1)
			continue
		}
		recipients = append(recipients, s)
	}
	clear(socks[len(recipients):])
	if len(recipients) == 0 {
		sink.Expect(0)
		return
	}
	l.socks = recipients
	// Set before any packet is sent, and published to answer/lost by the
	// final pending.Add below (only the call that reaches zero reads it).
	l.stop = context.AfterFunc(ctx, l.cleanup)
	sink.Expect(len(recipients))
	msgs := encodeMessages(sioproto.Event, pkt.Namespace, l.id, true, pkt.Data, pkt.Attachments)
	for _, s := range recipients {
		// A failed send means the connection is closing: the socket's
		// close reports the ack as lost.
		_ = s.cl.tr.send(msgs)
	}
	l.settled()
}
