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
