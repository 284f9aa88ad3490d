package wsconn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// Close status codes used by this package and its callers (RFC 6455 section 7.4.1).
const (
	StatusNormal        = 1000
	StatusGoingAway     = 1001
	StatusProtocolError = 1002
	StatusInvalidData   = 1007
	StatusPolicy        = 1008
	StatusTooBig        = 1009
	StatusInternal      = 1011
	statusNoStatus      = 1005
)

// DefaultMaxMessageSize is the message size limit used when none is configured.
const DefaultMaxMessageSize = 1 << 20

// DefaultWriteTimeout bounds every write when no timeout is configured.
const DefaultWriteTimeout = 10 * time.Second

// ErrMessageTooBig is returned by [Conn.ReadMessage] when a message exceeds the size limit; the
// connection has been closed with status 1009.
var ErrMessageTooBig = errors.New("wsconn: message too big")

// ErrProtocol is wrapped by errors for peer protocol violations; the connection has been closed
// with status 1002 or 1007.
var ErrProtocol = errors.New("wsconn: protocol error")

// ErrClosed is returned by writes after [Conn.Close].
var ErrClosed = errors.New("wsconn: connection closed")

// CloseError is returned by [Conn.ReadMessage] when the peer sent a close frame.
type CloseError struct {
	Code   int // 1005 when the close frame had no status
	Reason string
}

// Error reports the peer's close status and reason.
func (e *CloseError) Error() string {
	return fmt.Sprintf("wsconn: closed by peer: %d %s", e.Code, e.Reason)
}

// Frame is one data message to write.
type Frame struct {
	Binary bool
	// Prefix is written before Data in the same frame (e.g. an Engine.IO packet type), so that
	// callers need not copy Data to prepend a byte. It may be nil.
	Prefix []byte
	Data   []byte
}

// Conn is one WebSocket connection. See the package documentation for its concurrency contract.
type Conn struct {
	nc       net.Conn
	client   bool  // client side: masks writes, expects unmasked reads
	maxMsg   int64 // message size limit
	wtimeout time.Duration

	// read side, owned by the reading goroutine
	br    *bufio.Reader // pooled, nil while idle
	pr    prefixReader
	small [smallRead]byte // the idle read lands here; a small frame fits whole

	wmu    sync.Mutex // serialises writes
	wdl    time.Time  // write deadline currently set (under wmu)
	closed atomic.Bool
}

// Options configures a Conn; the zero value is usable.
type Options struct {
	MaxMessageSize int64 // 0 means DefaultMaxMessageSize
	// WriteTimeout bounds every write: a write has between 3/4 of it and all of it to
	// complete (the deadline is moved only when less than 3/4 remains, which saves a timer
	// update per write). 0 means DefaultWriteTimeout.
	WriteTimeout time.Duration
}

func newConn(nc net.Conn, pending []byte, client bool, o Options) *Conn {
	c := &Conn{nc: nc, client: client, maxMsg: o.MaxMessageSize, wtimeout: o.WriteTimeout}
	if c.maxMsg <= 0 {
		c.maxMsg = DefaultMaxMessageSize
	}
	if c.wtimeout <= 0 {
		c.wtimeout = DefaultWriteTimeout
	}
	c.pr.nc = nc
	c.pr.pre = pending
	return c
}

// NetConn returns the underlying network connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// prefixReader yields pre first, then reads from nc. Once it has handed out the prefix it reads
// more in the same call, because a frame has begun and further bytes are due.
type prefixReader struct {
	pre []byte
	nc  net.Conn
}

func (r *prefixReader) Read(p []byte) (int, error) {
	if len(r.pre) == 0 {
		return r.nc.Read(p)
	}
	n := copy(p, r.pre)
	r.pre = r.pre[n:]
	return n, nil
}

// smallRead is the size of the read buffer inside Conn: the idle wait reads up to this many
// bytes, so that a small message (most Socket.IO events and acks) arrives in one read system
// call instead of a one-byte read plus a buffer fill.
const smallRead = 128

var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// Wait blocks until the next frame begins to arrive (or an error), without holding a buffer.
// Calling it from a shallow frame before ReadMessage keeps an idle reader's stack small; it is
// optional, as ReadMessage waits the same way. Same goroutine rules as ReadMessage.
func (c *Conn) Wait() error {
	if c.br != nil || len(c.pr.pre) > 0 {
		return nil
	}
	n, err := c.nc.Read(c.small[:])
	if n > 0 {
		c.pr.pre = c.small[:n]
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// acquire makes sure a buffered reader is available, blocking (without holding any buffer) until
// the first byte of the next frame arrives.
func (c *Conn) acquire() error {
	if c.br != nil {
		return nil
	}
	if len(c.pr.pre) == 0 {
		n, err := c.nc.Read(c.small[:])
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			return err
		}
		c.pr.pre = c.small[:n]
	}
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(&c.pr)
	return nil
}

// release returns the buffered reader to the pool when it holds no unread bytes.
func (c *Conn) release(force bool) {
	if c.br == nil || (!force && c.br.Buffered() > 0) {
		return
	}
	c.br.Reset(nil)
	readerPool.Put(c.br)
	c.br = nil
}

type header struct {
	fin    bool
	rsv    byte
	op     ws.OpCode
	masked bool
	length int64
	mask   [4]byte
}

// readFull is io.ReadFull for the few bytes of a frame header, read byte by byte from the
// concrete reader: a stack array passed through the io.Reader interface would move it (and the
// header holding it) to the heap on every frame.
func readFull(br *bufio.Reader, p []byte) error {
	for i := range p {
		b, err := br.ReadByte()
		if err != nil {
			if i > 0 && err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		p[i] = b
	}
	return nil
}

func (c *Conn) readHeader() (h header, err error) {
	if err = c.acquire(); err != nil {
		return h, err
	}
	br := c.br
	b0, err := br.ReadByte()
	if err != nil {
		return h, err
	}
	b1, err := br.ReadByte()
	if err != nil {
		return h, err
	}
	h.fin = b0&0x80 != 0
	h.rsv = (b0 >> 4) & 7
	h.op = ws.OpCode(b0 & 0x0f)
	h.masked = b1&0x80 != 0
	var ext [8]byte
	switch l := b1 & 0x7f; l {
	case 126:
		if err = readFull(br, ext[:2]); err != nil {
			return h, err
		}
		h.length = int64(binary.BigEndian.Uint16(ext[:2]))
	case 127:
		if err = readFull(br, ext[:8]); err != nil {
			return h, err
		}
		u := binary.BigEndian.Uint64(ext[:8])
		if u>>63 != 0 {
			return h, fmt.Errorf("frame length: %w", ErrProtocol)
		}
		h.length = int64(u)
	default:
		h.length = int64(l)
	}
	if h.masked {
		if err = readFull(br, h.mask[:]); err != nil {
			return h, err
		}
	}
	return h, nil
}

// ReadMessage reads the next data message, reassembling fragments and answering control frames.
// The returned slice is freshly allocated and owned by the caller. It must be called from one
// goroutine at a time. Errors: [*CloseError] when the peer closed, [ErrMessageTooBig],
// [ErrProtocol], or the network error.
func (c *Conn) ReadMessage() (data []byte, isBinary bool, err error) {
	defer func() {
		if err != nil {
			c.release(true)
		} else {
			c.release(false)
		}
	}()
	var (
		started bool
		op      ws.OpCode
		msg     []byte
	)
	for {
		h, err := c.readHeader()
		if err != nil {
			if errors.Is(err, ErrProtocol) {
				c.Close(StatusProtocolError, "")
			}
			return nil, false, err
		}
		if h.rsv != 0 || (h.masked == c.client) {
			return nil, false, c.fail(StatusProtocolError, "bad frame header")
		}
		if h.op.IsControl() {
			if err := c.control(h); err != nil {
				return nil, false, err
			}
			continue
		}
		switch {
		case h.op.IsReserved():
			return nil, false, c.fail(StatusProtocolError, "reserved opcode")
		case h.op == ws.OpContinuation && !started:
			return nil, false, c.fail(StatusProtocolError, "unexpected continuation")
		case h.op != ws.OpContinuation && started:
			return nil, false, c.fail(StatusProtocolError, "expected continuation")
		}
		if !started {
			started, op = true, h.op
		}
		if int64(len(msg))+h.length > c.maxMsg {
			c.Close(StatusTooBig, "")
			return nil, false, ErrMessageTooBig
		}
		n := len(msg)
		if msg == nil && h.fin {
			msg = make([]byte, h.length)
		} else {
			msg = append(msg, make([]byte, h.length)...)
		}
		if _, err := io.ReadFull(c.br, msg[n:]); err != nil {
			return nil, false, err
		}
		if h.masked {
			ws.Cipher(msg[n:], h.mask, 0)
		}
		if h.fin {
			if op == ws.OpText && !utf8.Valid(msg) {
				return nil, false, c.fail(StatusInvalidData, "invalid utf-8")
			}
			return msg, op == ws.OpBinary, nil
		}
	}
}

// control handles a control frame. It is kept out of ReadMessage so that the idle read loop's
// stack stays small.
//
//go:noinline
func (c *Conn) control(h header) error {
	if h.length > 125 || !h.fin || h.op.IsReserved() {
		return c.fail(StatusProtocolError, "bad control frame")
	}
	var buf [125]byte
	p := buf[:h.length]
	if _, err := io.ReadFull(c.br, p); err != nil {
		return err
	}
	if h.masked {
		ws.Cipher(p, h.mask, 0)
	}
	switch h.op {
	case ws.OpPing:
		return c.writeControl(ws.OpPong, p)
	case ws.OpClose:
		ce := &CloseError{Code: statusNoStatus}
		if len(p) == 1 {
			return c.fail(StatusProtocolError, "bad close frame")
		}
		if len(p) >= 2 {
			ce.Code = int(binary.BigEndian.Uint16(p))
			ce.Reason = string(p[2:])
		}
		// Echo the status back, then close the connection.
		c.Close(ce.Code, "")
		return ce
	}
	return nil
}

func (c *Conn) fail(code int, reason string) error {
	c.Close(code, "")
	return fmt.Errorf("%s: %w", reason, ErrProtocol)
}

var writePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooled = 64 << 10

func (c *Conn) appendFrame(dst []byte, op ws.OpCode, prefix, data []byte) []byte {
	n := len(prefix) + len(data)
	b1 := byte(0)
	if c.client {
		b1 = 0x80
	}
	dst = append(dst, 0x80|byte(op))
	switch {
	case n < 126:
		dst = append(dst, b1|byte(n))
	case n <= 0xffff:
		dst = append(dst, b1|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if !c.client {
		dst = append(dst, prefix...)
		return append(dst, data...)
	}
	mask := ws.NewMask()
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, prefix...)
	dst = append(dst, data...)
	ws.Cipher(dst[start:], mask, 0)
	return dst
}

// WriteFrames writes the frames, each as one complete message, with a single write to the
// network (one flush) under the write timeout. It is safe for concurrent use.
func (c *Conn) WriteFrames(frames []Frame) error {
	bp := writePool.Get().(*[]byte)
	buf := (*bp)[:0]
	for _, f := range frames {
		op := ws.OpText
		if f.Binary {
			op = ws.OpBinary
		}
		buf = c.appendFrame(buf, op, f.Prefix, f.Data)
	}
	err := c.write(buf)
	if cap(buf) <= maxPooled {
		*bp = buf[:0]
		writePool.Put(bp)
	}
	return err
}

// WriteMessage writes one message. It is safe for concurrent use.
func (c *Conn) WriteMessage(isBinary bool, data []byte) error {
	var fs [1]Frame
	fs[0] = Frame{Binary: isBinary, Data: data}
	return c.WriteFrames(fs[:])
}

func (c *Conn) write(p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed.Load() {
		return ErrClosed
	}
	return c.writeLocked(p)
}

func (c *Conn) writeLocked(p []byte) error {
	// Move the deadline only when less than 3/4 of the timeout remains: setting it is a
	// runtime timer update, as costly as the rest of a small write's user-space work.
	if now := time.Now(); c.wdl.Sub(now) < c.wtimeout-c.wtimeout/4 {
		c.wdl = now.Add(c.wtimeout)
		if err := c.nc.SetWriteDeadline(c.wdl); err != nil {
			return fmt.Errorf("set write deadline: %w", err)
		}
	}
	if _, err := c.nc.Write(p); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (c *Conn) writeControl(op ws.OpCode, p []byte) error {
	var buf [2 + 4 + 125 + 8]byte
	b := c.appendFrame(buf[:0], op, nil, p)
	return c.write(b)
}

// Close sends a close frame with the code and reason (best effort, bounded by one second) and
// closes the network connection. It is idempotent and safe for concurrent use; later writes
// return [ErrClosed], and a blocked ReadMessage returns an error.
func (c *Conn) Close(code int, reason string) error {
	if c.closed.Swap(true) {
		return nil
	}
	if len(reason) > 123 {
		reason = reason[:123]
	}
	var body [125]byte
	p := body[:0]
	if code != 0 && code != statusNoStatus {
		p = binary.BigEndian.AppendUint16(p, uint16(code))
		p = append(p, reason...)
	}
	var buf [2 + 4 + 125 + 8]byte
	frame := c.appendFrame(buf[:0], ws.OpClose, nil, p)
	c.wmu.Lock()
	c.wdl = time.Now().Add(time.Second)
	_ = c.nc.SetWriteDeadline(c.wdl)
	_, _ = c.nc.Write(frame)
	c.wmu.Unlock()
	if err := c.nc.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// CloseNow closes the network connection without a close frame. Idempotent with Close.
func (c *Conn) CloseNow() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.nc.Close()
}
