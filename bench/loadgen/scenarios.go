package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// options configure every scenario.
type options struct {
	Addr            string        // server host:port
	Path            string        // Engine.IO path
	Server          string        // label written into results ("node", "go")
	PID             int           // server process id, for RSS (idle scenario)
	Duration        time.Duration // measured window
	Warmup          time.Duration // unmeasured lead-in
	Window          int           // broadcast: outstanding broadcasts
	DialConcurrency int           // parallel dials while opening many connections
	DialRate        int           // connections per second while opening many (0 = as fast as possible)
	IdleWait        time.Duration // idle: settle time before reading RSS
	BlockingEcho    bool          // echo with one connection: blocking reads (see blockingReader)
}

// Result is one scenario's outcome; one JSON line each.
type Result struct {
	Server       string  `json:"server"`
	Scenario     string  `json:"scenario"` // echo, broadcast, idle, connect
	Name         string  `json:"name"`     // e.g. echo-50
	Conns        int     `json:"conns"`
	DurationS    float64 `json:"duration_s,omitempty"`
	Ops          int64   `json:"ops"`
	Rate         float64 `json:"rate"` // per second: round trips, deliveries, connects
	Unit         string  `json:"unit"`
	P50us        float64 `json:"p50_us,omitempty"`
	P99us        float64 `json:"p99_us,omitempty"`
	P999us       float64 `json:"p999_us,omitempty"`
	MaxUs        float64 `json:"max_us,omitempty"`
	Broadcasts   int64   `json:"broadcasts,omitempty"`
	Lost         int64   `json:"lost,omitempty"` // broadcast deliveries still missing after the drain
	Window       int     `json:"window,omitempty"`
	RSSBaseKB    int64   `json:"rss_baseline_kb,omitempty"`
	RSSAfterKB   int64   `json:"rss_after_kb,omitempty"`
	BytesPerConn float64 `json:"bytes_per_conn,omitempty"`
	ServerCPU    float64 `json:"server_cpu_pct,omitempty"`  // server's CPU use in the measured window (needs -pid)
	LoadgenCPU   float64 `json:"loadgen_cpu_pct,omitempty"` // the load generator's, same window
	Errors       int64   `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
}

// errSink records the number of errors and keeps the first.
type errSink struct {
	n     atomic.Int64
	once  sync.Once
	first string
}

func (e *errSink) add(err error) {
	e.n.Add(1)
	e.once.Do(func() { e.first = err.Error() })
}

func (e *errSink) fill(r *Result) {
	r.Errors = e.n.Load()
	if r.Errors > 0 {
		r.FirstError = e.first
	}
}

func (o *options) dialCfg(readBuf int) dialConfig {
	return dialConfig{Addr: o.Addr, Path: o.Path, ReadBuf: readBuf}
}

// openConns opens n connected Socket.IO sockets, o.DialConcurrency at a time, paced to
// o.DialRate per second when set. Each socket is then passed to prepare (if not nil), still
// inside the dialing worker.
func openConns(ctx context.Context, o *options, n, readBuf int, prepare func(*conn) error) ([]*conn, error) {
	conns := make([]*conn, n)
	workers := max(1, min(o.DialConcurrency, n))
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if o.DialRate > 0 {
					due := start.Add(time.Duration(i) * time.Second / time.Duration(o.DialRate))
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
				}
				dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
				c, err := dial(dctx, o.dialCfg(readBuf))
				if err == nil && prepare != nil {
					c.nc.SetDeadline(time.Now().Add(30 * time.Second))
					if err = prepare(c); err != nil {
						c.close()
					} else {
						c.nc.SetDeadline(time.Time{})
					}
				}
				dcancel()
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d: %w", i, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		closeAll(conns)
		return nil, firstErr
	}
	return conns, nil
}

func closeAll(conns []*conn) {
	for _, c := range conns {
		if c != nil {
			c.close()
		}
	}
}

// echoArgs is the payload echoed back: a small object, the typical shape of an app event.
func appendEchoArgs(dst []byte, seq uint64) []byte {
	dst = append(dst, `{"msg":"hello, socket.io","seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	return append(dst, '}')
}

// runEcho: n connections, each in a closed loop emitting "echo" with an ack id and waiting for
// the ack before the next emit. Reports round trips per second and latency quantiles.
func runEcho(ctx context.Context, o *options, n int) Result {
	res := Result{Server: o.Server, Scenario: "echo", Name: "echo-" + strconv.Itoa(n), Conns: n, Unit: "round trips/s"}
	var errs errSink
	conns, err := openConns(ctx, o, n, 4096, nil)
	if err != nil {
		errs.add(err)
		errs.fill(&res)
		return res
	}
	defer closeAll(conns)
	start := time.Now()
	warmEnd := start.Add(o.Warmup)
	end := warmEnd.Add(o.Duration)
	meter := &cpuMeter{pid: o.PID}
	defer meter.schedule(o.Warmup, o.Duration)()
	hists := make([]*hist, n)
	ops := make([]int64, n)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			h := new(hist)
			hists[i] = h
			if n == 1 && o.BlockingEcho {
				if err := c.makeBlocking(time.Until(end.Add(10 * time.Second))); err != nil {
					errs.add(err)
					return
				}
			} else {
				c.nc.SetReadDeadline(end.Add(10 * time.Second))
			}
			out := make([]byte, 0, 128)
			args := make([]byte, 0, 64)
			want := make([]byte, 0, 64)
			var id uint64
			for ctx.Err() == nil {
				id++
				args = appendEchoArgs(args[:0], id)
				want = append(append(append(want[:0], '['), args...), ']')
				out = appendEvent(out[:0], id, true, "echo", args)
				t0 := time.Now()
				if t0.After(end) {
					return
				}
				if err := c.writeText(out); err != nil {
					errs.add(fmt.Errorf("write: %w", err))
					return
				}
				for {
					p, err := c.nextPacket()
					if err != nil {
						errs.add(fmt.Errorf("read: %w", err))
						return
					}
					ackID, got, ok := parseAck(p)
					if !ok {
						continue // not an ack (nothing else is expected, but tolerate events)
					}
					if ackID != id || !bytes.Equal(got, want) {
						errs.add(fmt.Errorf("ack %d %q, want ack %d %q: %w", ackID, truncate(got), id, want, errProtocol))
						return
					}
					break
				}
				t1 := time.Now()
				if !t0.Before(warmEnd) && !t1.After(end) {
					h.record(t1.Sub(t0))
					ops[i]++
				}
			}
		})
	}
	wg.Wait()
	var all hist
	for i := range n {
		all.merge(hists[i])
		res.Ops += ops[i]
	}
	res.DurationS = o.Duration.Seconds()
	res.Rate = float64(res.Ops) / o.Duration.Seconds()
	fillLatency(&res, &all)
	meter.fill(&res)
	errs.fill(&res)
	return res
}

func fillLatency(r *Result, h *hist) {
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	r.P50us = us(h.quantile(0.50))
	r.P99us = us(h.quantile(0.99))
	r.P999us = us(h.quantile(0.999))
	r.MaxUs = us(time.Duration(h.max))
}

var bcastPrefix = []byte(`2["bcast",`)

// runBroadcast: n receivers join a room; one driver socket emits "bcast", which the server
// broadcasts to the room. At most o.Window broadcasts are outstanding (not yet delivered to
// every receiver), so the rate measured is what the server delivers, not what it buffers.
func runBroadcast(ctx context.Context, o *options, n int) Result {
	res := Result{Server: o.Server, Scenario: "broadcast", Name: "broadcast-" + strconv.Itoa(n), Conns: n, Unit: "deliveries/s", Window: o.Window}
	var errs errSink
	join := func(c *conn) error {
		if err := c.writeText(appendEvent(nil, 1, true, "join-bcast", nil)); err != nil {
			return fmt.Errorf("join: %w", err)
		}
		for {
			p, err := c.nextPacket()
			if err != nil {
				return fmt.Errorf("join ack: %w", err)
			}
			if id, _, ok := parseAck(p); ok && id == 1 {
				return nil
			}
		}
	}
	recv, err := openConns(ctx, o, n, 4096, join)
	if err != nil {
		errs.add(err)
		errs.fill(&res)
		return res
	}
	defer closeAll(recv)
	driver, err := dial(ctx, o.dialCfg(4096))
	if err != nil {
		errs.add(fmt.Errorf("driver: %w", err))
		errs.fill(&res)
		return res
	}
	defer driver.close()

	var delivered atomic.Int64
	var stopping atomic.Bool
	sig := make(chan struct{}, 1)
	n64 := int64(n)
	var wg sync.WaitGroup
	for _, c := range recv {
		wg.Go(func() {
			for {
				p, err := c.nextPacket()
				if err != nil {
					if !stopping.Load() {
						errs.add(fmt.Errorf("receiver: %w", err))
					}
					return
				}
				if bytes.HasPrefix(p, bcastPrefix) {
					if delivered.Add(1)%n64 == 0 {
						select {
						case sig <- struct{}{}:
						default:
						}
					}
				}
			}
		})
	}
	wg.Go(func() { // the driver's reader answers pings
		for {
			if _, err := driver.nextPacket(); err != nil {
				if !stopping.Load() {
					errs.add(fmt.Errorf("driver reader: %w", err))
				}
				return
			}
		}
	})

	var d0, d1 atomic.Int64
	var t0, t1 time.Time
	var markMu sync.Mutex
	var stop atomic.Bool
	meter := &cpuMeter{pid: o.PID}
	defer meter.schedule(o.Warmup, o.Duration)()
	warm := time.AfterFunc(o.Warmup, func() {
		markMu.Lock()
		t0 = time.Now()
		d0.Store(delivered.Load())
		markMu.Unlock()
	})
	done := time.AfterFunc(o.Warmup+o.Duration, func() {
		markMu.Lock()
		t1 = time.Now()
		d1.Store(delivered.Load())
		markMu.Unlock()
		stop.Store(true)
		select { // wake the driver
		case sig <- struct{}{}:
		default:
		}
	})
	defer warm.Stop()
	defer done.Stop()

	out := make([]byte, 0, 128)
	args := make([]byte, 0, 64)
	var sent int64
	stall := time.NewTimer(time.Hour)
	w := int64(max(o.Window, 1))
	for !stop.Load() && ctx.Err() == nil && errs.n.Load() == 0 {
		for sent-delivered.Load()/n64 >= w && !stop.Load() {
			stall.Reset(10 * time.Second)
			select {
			case <-sig:
			case <-stall.C:
				errs.add(fmt.Errorf("no broadcast completed for 10s (%d sent, %d of %d deliveries): %w", sent, delivered.Load(), sent*n64, errProtocol))
				stop.Store(true)
			case <-ctx.Done():
				stop.Store(true)
			}
		}
		if stop.Load() {
			break
		}
		args = appendEchoArgs(args[:0], uint64(sent))
		out = appendEvent(out[:0], 0, false, "bcast", args)
		if err := driver.writeText(out); err != nil {
			errs.add(fmt.Errorf("driver write: %w", err))
			break
		}
		sent++
	}
	// Drain: every broadcast sent must reach every receiver.
	deadline := time.Now().Add(10 * time.Second)
	for delivered.Load() < sent*n64 && time.Now().Before(deadline) && errs.n.Load() == 0 {
		stall.Reset(100 * time.Millisecond)
		select {
		case <-sig:
		case <-stall.C:
		}
	}
	stall.Stop()
	stopping.Store(true)
	closeAll(recv)
	driver.close()
	wg.Wait()

	markMu.Lock()
	if !t1.IsZero() && !t0.IsZero() {
		res.DurationS = t1.Sub(t0).Seconds()
		res.Ops = d1.Load() - d0.Load()
		res.Rate = float64(res.Ops) / res.DurationS
	}
	markMu.Unlock()
	res.Broadcasts = sent
	meter.fill(&res)
	res.Lost = sent*n64 - delivered.Load()
	if res.Lost > 0 && errs.n.Load() == 0 {
		errs.add(fmt.Errorf("%d of %d deliveries missing after the drain: %w", res.Lost, sent*n64, errProtocol))
	}
	errs.fill(&res)
	return res
}

// runIdle: opens n sockets (answering pings), waits, and reports the server's resident memory
// growth per connection, RSS read from /proc/PID/status after the server ran its GC.
func runIdle(ctx context.Context, o *options, n int) Result {
	res := Result{Server: o.Server, Scenario: "idle", Name: "idle-" + strconv.Itoa(n), Conns: n, Unit: "bytes/conn"}
	var errs errSink
	if o.PID <= 0 {
		errs.add(errors.New("idle scenario needs -pid (the server's process id)"))
		errs.fill(&res)
		return res
	}
	if err := serverGC(ctx, o.Addr); err != nil {
		errs.add(err)
		errs.fill(&res)
		return res
	}
	base, err := readRSS(o.PID)
	if err != nil {
		errs.add(err)
		errs.fill(&res)
		return res
	}
	t0 := time.Now()
	conns, err := openConns(ctx, o, n, 512, nil)
	if err != nil {
		errs.add(err)
		errs.fill(&res)
		return res
	}
	openDur := time.Since(t0)
	var stopping atomic.Bool
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			for {
				if _, err := c.nextPacket(); err != nil {
					if !stopping.Load() {
						errs.add(fmt.Errorf("idle conn: %w", err))
					}
					return
				}
			}
		})
	}
	select {
	case <-time.After(o.IdleWait):
	case <-ctx.Done():
	}
	if err := serverGC(ctx, o.Addr); err != nil {
		errs.add(err)
	}
	after, err := readRSS(o.PID)
	if err != nil {
		errs.add(err)
	}
	stopping.Store(true)
	closeAll(conns)
	wg.Wait()
	res.Ops = int64(n)
	res.DurationS = openDur.Seconds()
	res.Rate = float64(n) / openDur.Seconds() // opening rate, for information
	res.RSSBaseKB = base
	res.RSSAfterKB = after
	res.BytesPerConn = float64(after-base) * 1024 / float64(n)
	errs.fill(&res)
	return res
}

// runConnect: conc workers each repeatedly open a socket (TCP, WebSocket upgrade, Engine.IO
// open, Socket.IO CONNECT answered) and close it. Reports connects per second and latency.
func runConnect(ctx context.Context, o *options, conc int) Result {
	res := Result{Server: o.Server, Scenario: "connect", Name: "connect-" + strconv.Itoa(conc), Conns: conc, Unit: "connects/s"}
	var errs errSink
	start := time.Now()
	warmEnd := start.Add(o.Warmup)
	end := warmEnd.Add(o.Duration)
	meter := &cpuMeter{pid: o.PID}
	defer meter.schedule(o.Warmup, o.Duration)()
	hists := make([]*hist, conc)
	ops := make([]int64, conc)
	var wg sync.WaitGroup
	for i := range conc {
		wg.Go(func() {
			h := new(hist)
			hists[i] = h
			for ctx.Err() == nil && errs.n.Load() < 100 {
				t0 := time.Now()
				if t0.After(end) {
					return
				}
				dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				c, err := dial(dctx, o.dialCfg(512))
				cancel()
				if err != nil {
					errs.add(err)
					continue
				}
				t1 := time.Now()
				c.close()
				if !t0.Before(warmEnd) && !t1.After(end) {
					h.record(t1.Sub(t0))
					ops[i]++
				}
			}
		})
	}
	wg.Wait()
	var all hist
	for i := range conc {
		all.merge(hists[i])
		res.Ops += ops[i]
	}
	res.DurationS = o.Duration.Seconds()
	res.Rate = float64(res.Ops) / o.Duration.Seconds()
	fillLatency(&res, &all)
	meter.fill(&res)
	errs.fill(&res)
	return res
}

// serverGC asks the server to collect garbage (GET /debug/gc on the same address).
func serverGC(ctx context.Context, addr string) error {
	for range 2 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug/gc", nil)
		if err != nil {
			return fmt.Errorf("gc request: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("gc request: %w", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("gc request: status %s", resp.Status)
		}
	}
	http.DefaultClient.CloseIdleConnections()
	return nil
}

// readRSS returns VmRSS of pid in KiB.
func readRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 1 {
				v, err := strconv.ParseInt(fields[0], 10, 64)
				if err != nil {
					return 0, fmt.Errorf("read rss: %w", err)
				}
				return v, nil
			}
		}
	}
	return 0, fmt.Errorf("read rss: no VmRSS in /proc/%d/status", pid)
}
