package socketio

// PendingAcks returns the number of acks a socket is waiting for, for the
// black-box tests' leak checks.
func PendingAcks(s *Socket) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.acks)
}
