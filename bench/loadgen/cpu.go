package main

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat; 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// cpuTime returns the user+system CPU time of pid (0 = this process) from /proc.
func cpuTime(pid int) (time.Duration, bool) {
	p := "/proc/self/stat"
	if pid > 0 {
		p = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, false
	}
	// The command name is in parentheses and may contain spaces: skip past the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	// Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * time.Second / clockTicks, true
}

// cpuMeter measures the CPU use of the server (by pid) and of the load generator over the
// measured window: mark at its start, then at its end.
type cpuMeter struct {
	mu              sync.Mutex
	pid             int
	t0              time.Time
	srv0, self0     time.Duration
	srvPct, selfPct float64
	ok, done        bool
}

func (m *cpuMeter) start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t0 = time.Now()
	var ok1, ok2 bool
	m.self0, ok1 = cpuTime(0)
	m.srv0, ok2 = cpuTime(m.pid)
	m.ok = ok1 && ok2 && m.pid > 0
}

func (m *cpuMeter) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ok || m.done {
		return
	}
	m.done = true
	el := time.Since(m.t0)
	self, ok1 := cpuTime(0)
	srv, ok2 := cpuTime(m.pid)
	if !ok1 || !ok2 || el <= 0 {
		m.ok = false
		return
	}
	m.srvPct = 100 * float64(srv-m.srv0) / float64(el)
	m.selfPct = 100 * float64(self-m.self0) / float64(el)
}

// schedule marks the window [warmup, warmup+duration) from now; the returned func stops the
// timers.
func (m *cpuMeter) schedule(warmup, duration time.Duration) (stop func()) {
	t1 := time.AfterFunc(warmup, m.start)
	t2 := time.AfterFunc(warmup+duration, m.stop)
	return func() { t1.Stop(); t2.Stop() }
}

// fill writes the percentages into r, closing the window now if its end has not fired yet.
func (m *cpuMeter) fill(r *Result) {
	m.stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ok {
		r.ServerCPU = m.srvPct
		r.LoadgenCPU = m.selfPct
	}
}
