// Command floor is the least a server can do for the load generator's echo scenario: a
// reference point for bench/run.sh, not a Socket.IO server. It accepts a WebSocket, sends an
// Engine.IO open packet, answers the Socket.IO CONNECT to "/", and answers every
// `42<id>["echo",<args>]` with `43<id>[<args>]` on the reading goroutine: one read and one
// write system call per round trip, no goroutine switch, no JSON parsing, no heartbeat, no
// validation of anything it does not need.
//
// Its echo:1 rate is the ceiling any server can reach on the machine, because with one
// connection in a closed loop the round trip is mostly the kernel's: the two socket writes
// and the wake-up of the peer's sleeping thread. bench/run.sh --servers "node go floor"
// measures it beside the others; BENCHMARKS.md says what it shows.
//
// Usage: floor [-addr 127.0.0.1:0]; prints "listening PORT" once it accepts connections.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Println("listening", ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		go func() {
			// serve returns only when the connection ends; EOF is the client leaving.
			if err := serve(c); !errors.Is(err, io.EOF) {
				fmt.Fprintln(os.Stderr, "floor:", err)
			}
			c.Close()
		}()
	}
}

const (
	openPacket   = `0{"sid":"floor","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	connectReply = `40{"sid":"floor"}`
	wsGUID       = "258EAFA5-E914-47DA-95CA-C5AB0DC11B85"
)

var errUnexpected = errors.New("unexpected input")

func serve(c net.Conn) error {
	br := bufio.NewReader(c)
	key, err := readUpgrade(br)
	if err != nil {
		return err
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	out := appendFrame([]byte(resp), []byte(openPacket))
	if _, err := c.Write(out); err != nil {
		return err
	}
	var msg, reply []byte
	for {
		if msg, err = readFrame(br, msg[:0]); err != nil {
			return err
		}
		switch {
		case string(msg) == "40":
			reply = append(reply[:0], connectReply...)
		case bytes.HasPrefix(msg, []byte("42")):
			if reply, err = appendEchoAck(reply[:0], msg); err != nil {
				return err
			}
		case string(msg) == "3": // pong
			continue
		default:
			return fmt.Errorf("message %q: %w", msg, errUnexpected)
		}
		if _, err := c.Write(appendFrame(out[:0], reply)); err != nil {
			return err
		}
	}
}

// readUpgrade reads the HTTP upgrade request and returns its Sec-WebSocket-Key.
func readUpgrade(br *bufio.Reader) (string, error) {
	var key string
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return "", err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, []byte("Sec-WebSocket-Key")) {
			key = string(bytes.TrimSpace(v))
		}
	}
	if key == "" {
		return "", fmt.Errorf("no Sec-WebSocket-Key: %w", errUnexpected)
	}
	return key, nil
}

// appendEchoAck turns `42<id>["echo",<args>]` into `43<id>[<args>]`.
func appendEchoAck(dst, msg []byte) ([]byte, error) {
	i := 2
	for i < len(msg) && msg[i] >= '0' && msg[i] <= '9' {
		i++
	}
	rest, ok := bytes.CutPrefix(msg[i:], []byte(`["echo",`))
	if i == 2 || !ok {
		return nil, fmt.Errorf("event %q: %w", msg, errUnexpected)
	}
	dst = append(dst, "43"...)
	dst = append(dst, msg[2:i]...)
	dst = append(dst, '[')
	return append(dst, rest...), nil
}

// readFrame reads one masked client frame (unfragmented, as the load generator sends) and
// appends its unmasked payload to dst.
func readFrame(br *bufio.Reader, dst []byte) ([]byte, error) {
	var h [14]byte
	if _, err := io.ReadFull(br, h[:2]); err != nil {
		return nil, err
	}
	if h[0] != 0x81 || h[1]&0x80 == 0 {
		return nil, fmt.Errorf("frame header %x: %w", h[:2], errUnexpected)
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		if _, err := io.ReadFull(br, h[2:4]); err != nil {
			return nil, err
		}
		n = int(h[2])<<8 | int(h[3])
	case 127:
		return nil, fmt.Errorf("64-bit frame length: %w", errUnexpected)
	}
	var mask [4]byte
	if _, err := io.ReadFull(br, mask[:]); err != nil {
		return nil, err
	}
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	if _, err := io.ReadFull(br, dst[start:]); err != nil {
		return nil, err
	}
	for i := range n {
		dst[start+i] ^= mask[i&3]
	}
	return dst, nil
}

// appendFrame appends an unmasked text frame carrying p.
func appendFrame(dst, p []byte) []byte {
	dst = append(dst, 0x81)
	switch {
	case len(p) < 126:
		dst = append(dst, byte(len(p)))
	case len(p) < 1<<16:
		dst = append(dst, 126, byte(len(p)>>8), byte(len(p)))
	default:
		dst = append(dst, 127, 0, 0, 0, 0, byte(len(p)>>24), byte(len(p)>>16), byte(len(p)>>8), byte(len(p)))
	}
	return append(dst, p...)
}
