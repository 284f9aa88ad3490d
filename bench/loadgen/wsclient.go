package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gobwas/ws"
)

// This file is a deliberately tiny WebSocket + Engine.IO v4 + Socket.IO v5 client: just the
// subset the benchmarks need (websocket transport, namespace "/", text packets, acks), written
// so that the hot path (read a frame, write a frame) does not allocate. gobwas/ws provides the
// frame header codec and the masking cipher; the HTTP upgrade is written by hand so that a
// single bufio.Reader serves the whole connection.

// maxFrame bounds what the load generator accepts from a server (it never expects much).
const maxFrame = 1 << 20

var errProtocol = errors.New("protocol error")

// conn is one Socket.IO client connection over WebSocket.
type conn struct {
	nc   net.Conn
	br   *bufio.Reader
	mask [4]byte
	hdr  [ws.MaxHeaderSize]byte // scratch for frame headers (read and write)
	rbuf []byte                 // current message payload (reused)

	wmu  sync.Mutex // guards wbuf and writes (a driver writes from two goroutines)
	wbuf sliceWriter
}

// sliceWriter is an io.Writer that appends to a byte slice, so that gobwas can write a frame
// header into our frame buffer without an allocation.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// dialConfig says where to connect.
type dialConfig struct {
	Addr    string // host:port
	Path    string // Engine.IO path, e.g. "/socket.io/"
	ReadBuf int    // bufio size; small for idle connections
}

// dial opens a TCP connection, upgrades it to WebSocket on the Engine.IO path, reads the
// Engine.IO open packet, connects the Socket.IO namespace "/" and waits for its CONNECT.
func dial(ctx context.Context, cfg dialConfig) (*conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c, err := handshake(ctx, nc, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func handshake(ctx context.Context, nc net.Conn, cfg dialConfig) (*conn, error) {
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
		defer nc.SetDeadline(time.Time{})
	}
	rb := cfg.ReadBuf
	if rb <= 0 {
		rb = 4096
	}
	c := &conn{nc: nc, br: bufio.NewReaderSize(nc, rb)}
	r := rand.Uint64()
	c.mask = [4]byte{byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)}
	var key [16]byte
	for i := range key {
		key[i] = byte(rand.Uint32())
	}
	path := cfg.Path
	if path == "" {
		path = "/socket.io/"
	}
	req := make([]byte, 0, 256)
	req = append(req, "GET "...)
	req = append(req, path...)
	req = append(req, "?EIO=4&transport=websocket HTTP/1.1\r\nHost: "...)
	req = append(req, cfg.Addr...)
	req = append(req, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "...)
	req = base64.StdEncoding.AppendEncode(req, key[:])
	req = append(req, "\r\n\r\n"...)
	if _, err := nc.Write(req); err != nil {
		return nil, fmt.Errorf("write upgrade: %w", err)
	}
	// Status line and headers; we only need the 101 status.
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return nil, fmt.Errorf("read upgrade response: %w", err)
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 101")) {
		return nil, fmt.Errorf("upgrade: unexpected status %q: %w", bytes.TrimSpace(line), errProtocol)
	}
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return nil, fmt.Errorf("read upgrade headers: %w", err)
		}
		if len(line) <= 2 {
			break
		}
	}
	// Engine.IO open packet.
	msg, _, err := c.readMessage()
	if err != nil {
		return nil, fmt.Errorf("read open packet: %w", err)
	}
	if len(msg) == 0 || msg[0] != '0' {
		return nil, fmt.Errorf("expected open packet, got %q: %w", truncate(msg), errProtocol)
	}
	// Socket.IO CONNECT to "/".
	if err := c.writeText([]byte("40")); err != nil {
		return nil, fmt.Errorf("write connect: %w", err)
	}
	p, err := c.nextPacket()
	if err != nil {
		return nil, fmt.Errorf("read connect: %w", err)
	}
	if len(p) < 1 || p[0] != '0' {
		return nil, fmt.Errorf("expected CONNECT, got %q: %w", truncate(p), errProtocol)
	}
	return c, nil
}

// writeText sends one masked text frame.
func (c *conn) writeText(p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf.b = c.wbuf.b[:0]
	h := ws.Header{Fin: true, OpCode: ws.OpText, Masked: true, Mask: c.mask, Length: int64(len(p))}
	if err := ws.WriteHeaderBuffer(&c.wbuf, h, c.hdr[:]); err != nil {
		return err
	}
	n := len(c.wbuf.b)
	c.wbuf.b = append(c.wbuf.b, p...)
	ws.Cipher(c.wbuf.b[n:], c.mask, 0)
	_, err := c.nc.Write(c.wbuf.b)
	return err
}

func (c *conn) writeControl(op ws.OpCode, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf.b = c.wbuf.b[:0]
	h := ws.Header{Fin: true, OpCode: op, Masked: true, Mask: c.mask, Length: int64(len(p))}
	if err := ws.WriteHeaderBuffer(&c.wbuf, h, c.hdr[:]); err != nil {
		return err
	}
	n := len(c.wbuf.b)
	c.wbuf.b = append(c.wbuf.b, p...)
	ws.Cipher(c.wbuf.b[n:], c.mask, 0)
	_, err := c.nc.Write(c.wbuf.b)
	return err
}

// readMessage returns the next data message (text or binary), answering WebSocket pings and
// reassembling fragments. The returned slice is valid until the next call.
func (c *conn) readMessage() ([]byte, bool, error) {
	c.rbuf = c.rbuf[:0]
	var binary, inMsg bool
	for {
		h, err := ws.ReadHeaderBuffer(c.br, c.hdr[:])
		if err != nil {
			return nil, false, err
		}
		if h.Length > maxFrame || int64(len(c.rbuf))+h.Length > maxFrame {
			return nil, false, fmt.Errorf("frame of %d bytes: %w", h.Length, errProtocol)
		}
		if h.OpCode.IsControl() {
			var ctl [125]byte
			if h.Length > 125 {
				return nil, false, fmt.Errorf("control frame of %d bytes: %w", h.Length, errProtocol)
			}
			b := ctl[:h.Length]
			if _, err := io.ReadFull(c.br, b); err != nil {
				return nil, false, err
			}
			if h.Masked {
				ws.Cipher(b, h.Mask, 0)
			}
			switch h.OpCode {
			case ws.OpPing:
				if err := c.writeControl(ws.OpPong, b); err != nil {
					return nil, false, err
				}
			case ws.OpClose:
				return nil, false, io.EOF
			}
			continue
		}
		switch h.OpCode {
		case ws.OpText, ws.OpBinary:
			if inMsg {
				return nil, false, fmt.Errorf("new message inside a fragmented one: %w", errProtocol)
			}
			inMsg = true
			binary = h.OpCode == ws.OpBinary
		case ws.OpContinuation:
			if !inMsg {
				return nil, false, fmt.Errorf("continuation without a message: %w", errProtocol)
			}
		default:
			return nil, false, fmt.Errorf("opcode %d: %w", h.OpCode, errProtocol)
		}
		n := len(c.rbuf)
		need := n + int(h.Length)
		if cap(c.rbuf) < need {
			nb := make([]byte, n, max(need, 256))
			copy(nb, c.rbuf)
			c.rbuf = nb
		}
		c.rbuf = c.rbuf[:need]
		if _, err := io.ReadFull(c.br, c.rbuf[n:]); err != nil {
			return nil, false, err
		}
		if h.Masked {
			ws.Cipher(c.rbuf[n:], h.Mask, 0)
		}
		if h.Fin {
			return c.rbuf, binary, nil
		}
	}
}

var pongPacket = []byte("3")

// nextPacket returns the next Socket.IO packet (the payload of an Engine.IO message),
// answering Engine.IO pings on the way. Binary messages are skipped (the benchmarks send none).
// The returned slice is valid until the next call.
func (c *conn) nextPacket() ([]byte, error) {
	for {
		msg, binary, err := c.readMessage()
		if err != nil {
			return nil, err
		}
		if binary || len(msg) == 0 {
			continue
		}
		switch msg[0] {
		case '4':
			return msg[1:], nil
		case '2':
			if err := c.writeText(pongPacket); err != nil {
				return nil, err
			}
		case '1':
			return nil, io.EOF
		case '0', '3', '6':
		default:
			return nil, fmt.Errorf("engine.io packet %q: %w", truncate(msg), errProtocol)
		}
	}
}

// close closes the TCP connection without a TIME_WAIT on our side (SO_LINGER 0), so that the
// connect-rate and idle scenarios do not run out of ephemeral ports.
func (c *conn) close() error {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	return c.nc.Close()
}

// parseAck reads an ACK packet "3<id>[...]" (namespace "/") and returns the id and the
// arguments array.
func parseAck(p []byte) (id uint64, args []byte, ok bool) {
	if len(p) < 3 || p[0] != '3' {
		return 0, nil, false
	}
	i := 1
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		id = id*10 + uint64(p[i]-'0')
		i++
	}
	if i == 1 || i >= len(p) || p[i] != '[' {
		return 0, nil, false
	}
	return id, p[i:], true
}

// appendEvent appends the Engine.IO message carrying a Socket.IO EVENT packet
// `42<id>["name",<args>]` (id omitted when withID is false); args is the JSON text of the
// arguments after the name, already comma separated.
func appendEvent(dst []byte, id uint64, withID bool, name string, args []byte) []byte {
	dst = append(dst, '4', '2')
	if withID {
		dst = strconv.AppendUint(dst, id, 10)
	}
	dst = append(dst, '[', '"')
	dst = append(dst, name...)
	dst = append(dst, '"')
	if len(args) > 0 {
		dst = append(dst, ',')
		dst = append(dst, args...)
	}
	return append(dst, ']')
}

func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
