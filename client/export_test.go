package client

import "context"

// WaitUpgraded waits until m's connection has been upgraded from polling to WebSocket.
func WaitUpgraded(ctx context.Context, m *Manager) error {
	m.mu.Lock()
	e := m.eng
	m.mu.Unlock()
	if e == nil {
		return ErrNotConnected
	}
	select {
	case <-e.upgraded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// QueuedBytes returns the bytes of outgoing packets m's connection holds (queued or being
// written), 0 when there is no connection.
func QueuedBytes(m *Manager) int {
	m.mu.Lock()
	e := m.eng
	m.mu.Unlock()
	if e == nil {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.queued
}
