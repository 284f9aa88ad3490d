package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// blockingReader reads a socket with blocking read system calls: the calling thread sleeps in
// the kernel until data arrives and is woken by it directly. Go's network poller instead reads
// until EAGAIN, parks the goroutine and waits in epoll_wait, two more system calls and a trip
// through the scheduler per message. With one connection in a closed loop that is the load
// generator's own latency, added to every round trip it measures; netperf's TCP_RR measures
// with blocking sockets for the same reason.
type blockingReader struct{ fd int }

func (r blockingReader) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(r.fd, p)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN): // SO_RCVTIMEO expired
			return 0, os.ErrDeadlineExceeded
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// makeBlocking switches the connection's reads to blocking system calls on its socket, each
// bounded by timeout (SO_RCVTIMEO, as deadlines do not apply to them). Writes still go through
// the net.Conn, which, with the socket in blocking mode, simply blocks when the send buffer
// is full. The connection must not have buffered unread bytes, and afterwards only one
// goroutine may read it.
func (c *conn) makeBlocking(timeout time.Duration) error {
	if c.br.Buffered() > 0 {
		return fmt.Errorf("make blocking: %d bytes already buffered: %w", c.br.Buffered(), errProtocol)
	}
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return fmt.Errorf("make blocking: %T has no file descriptor", c.nc)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return fmt.Errorf("make blocking: %w", err)
	}
	fd := -1
	var serr error
	if err := raw.Control(func(f uintptr) {
		fd = int(f)
		if serr = syscall.SetNonblock(fd, false); serr != nil {
			return
		}
		tv := syscall.NsecToTimeval(timeout.Nanoseconds())
		serr = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	}); err != nil {
		return fmt.Errorf("make blocking: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("make blocking: %w", serr)
	}
	c.br.Reset(blockingReader{fd: fd})
	return nil
}
