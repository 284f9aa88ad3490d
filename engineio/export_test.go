package engineio

import "time"

// SetProbeNoopDelay changes how long a GET that arrives during an upgrade waits before its
// noop, and returns a function restoring the old value. Tests using it must not run in parallel.
func SetProbeNoopDelay(d time.Duration) (restore func()) {
	old := probeNoopDelay
	probeNoopDelay = d
	return func() { probeNoopDelay = old }
}

// SetCloseGrace changes closeGrace and returns a function restoring the old value.
func SetCloseGrace(d time.Duration) (restore func()) {
	old := closeGrace
	closeGrace = d
	return func() { closeGrace = old }
}

// HoldWriter makes c look as if its WebSocket writer were busy, so that messages sent until
// release stay queued (tests of what happens to queued messages, without racing a real
// writer). release gives the writer role back without writing anything.
func HoldWriter(c *Conn) (release func()) {
	c.mu.Lock()
	held := !c.writing
	if held {
		c.writing = true
		c.srv.wg.Add(1)
	}
	c.mu.Unlock()
	return func() {
		if !held {
			return
		}
		c.mu.Lock()
		c.writing = false
		c.mu.Unlock()
		c.srv.wg.Done()
	}
}
