package workpool

import (
	"sync"
	"time"
)

// DefaultIdleTimeout is how long a worker stays parked without work when
// Config.IdleTimeout is zero.
const DefaultIdleTimeout = 5 * time.Second

// Config configures a Pool. The zero value works.
type Config struct {
	// IdleTimeout is how long a parked worker waits for a task before it
	// exits (it exits between IdleTimeout and 1.5×IdleTimeout after it
	// parked). Zero or negative means DefaultIdleTimeout.
	IdleTimeout time.Duration
}

// Pool runs tasks on parked worker goroutines. Its methods are safe for
// concurrent use. The zero Pool is not usable; call New.
type Pool struct {
	tick time.Duration // reaper period: IdleTimeout/2

	mu     sync.Mutex
	ready  []*worker // parked workers, oldest first
	closed bool
	n      int    // workers alive
	epoch  uint64 // reaper ticks so far
	armed  bool   // the reaper timer is pending (counted in wg)
	reaper *time.Timer
	wg     sync.WaitGroup // workers and the pending reaper
}

// worker is one parked-or-running goroutine. A task is handed to it on
// work, which has room for exactly one: only whoever removed the worker
// from ready sends on it (a nil task tells it to exit).
type worker struct {
	work   chan func()
	parked uint64 // epoch when it last parked
}

// New returns a pool with no workers.
func New(cfg Config) *Pool {
	d := cfg.IdleTimeout
	if d <= 0 {
		d = DefaultIdleTimeout
	}
	return &Pool{tick: max(d/2, time.Microsecond)}
}

// Go runs f on the most recently parked worker, or on a new worker when
// none is parked. It never waits for f. A panic in f is not recovered (as
// with the go statement): callers recover inside f.
//
// After Close, Go still runs f, on a goroutine of its own that the pool
// does not wait for; callers that must wait for f track it themselves.
func (p *Pool) Go(f func()) {
	p.mu.Lock()
	if n := len(p.ready); n > 0 {
		w := p.ready[n-1]
		p.ready[n-1] = nil
		p.ready = p.ready[:n-1]
		p.mu.Unlock()
		w.work <- f // never blocks: one slot, one sender
		return
	}
	if p.closed {
		p.mu.Unlock()
		go f()
		return
	}
	p.n++
	p.wg.Add(1)
	p.mu.Unlock()
	go p.run(f)
}

// Workers returns the number of workers alive (running or parked).
func (p *Pool) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Parked returns the number of parked workers.
func (p *Pool) Parked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ready)
}

// Close makes parked workers exit, makes running workers exit after their
// task, and waits for every worker to exit. It is idempotent.
func (p *Pool) Close() {
	p.Stop()
	p.wg.Wait()
}

// Stop is Close without the wait: parked workers exit and running workers
// exit after their task. It is for an owner that gives up waiting (a
// shutdown whose deadline passed); it is idempotent.
func (p *Pool) Stop() {
	p.mu.Lock()
	p.closed = true
	ready := p.ready
	p.ready = nil
	if p.armed && p.reaper.Stop() {
		p.armed = false
		p.wg.Done()
	} // else the reaper is running: it sees closed and finishes
	p.mu.Unlock()
	for _, w := range ready {
		w.work <- nil
	}
}

// run is a worker's goroutine: run the task, park, repeat until told to
// exit (idle for too long, or closed).
func (p *Pool) run(f func()) {
	defer p.exit()
	w := &worker{work: make(chan func(), 1)}
	for f != nil {
		f()
		if !p.park(w) {
			return
		}
		f = <-w.work
	}
}

func (p *Pool) exit() {
	p.mu.Lock()
	p.n--
	p.mu.Unlock()
	p.wg.Done()
}

// park puts w on the ready stack; it reports false when the pool is closed.
func (p *Pool) park(w *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	w.parked = p.epoch
	p.ready = append(p.ready, w)
	if !p.armed {
		p.armed = true
		p.wg.Add(1)
		if p.reaper == nil {
			p.reaper = time.AfterFunc(p.tick, p.reap)
		} else {
			p.reaper.Reset(p.tick)
		}
	}
	return true
}

// reap runs every tick while workers are parked: it tells the workers
// parked for three ticks or more (at least IdleTimeout) to exit.
func (p *Pool) reap() {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.wg.Done()
	if p.closed {
		p.armed = false
		return
	}
	p.epoch++
	// ready is ordered by parking time: the oldest are first.
	k := 0
	for k < len(p.ready) && p.epoch-p.ready[k].parked >= 3 {
		p.ready[k].work <- nil // never blocks: removed from ready here
		k++
	}
	if k > 0 {
		n := copy(p.ready, p.ready[k:])
		clear(p.ready[n:])
		p.ready = p.ready[:n]
	}
	if len(p.ready) == 0 {
		p.armed = false
		return
	}
	p.wg.Add(1) // the next tick; this one's Done is deferred
	p.reaper.Reset(p.tick)
}
