package wsconn

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gobwas/ws"
)

// ErrBadHandshake is returned by [Upgrade] when the request is not a valid WebSocket upgrade.
var ErrBadHandshake = errors.New("wsconn: bad websocket handshake")

// IsUpgrade reports whether r asks for a WebSocket upgrade.
func IsUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func headerHasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(acceptGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Upgrade validates the WebSocket handshake in r, hijacks the connection and writes the 101
// response (with the extra header lines, if any). On a handshake error it answers HTTP 400 (or
// 426 for an unsupported version) itself and returns an error wrapping [ErrBadHandshake]. Bytes
// the client sent after its request are kept and read first.
func Upgrade(w http.ResponseWriter, r *http.Request, extra http.Header, o Options) (*Conn, error) {
	key := r.Header.Get("Sec-WebSocket-Key")
	switch {
	case r.Method != http.MethodGet:
		http.Error(w, "websocket: method not GET", http.StatusBadRequest)
		return nil, fmt.Errorf("method %s: %w", r.Method, ErrBadHandshake)
	case !IsUpgrade(r):
		http.Error(w, "websocket: not an upgrade request", http.StatusBadRequest)
		return nil, fmt.Errorf("missing upgrade headers: %w", ErrBadHandshake)
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "websocket: unsupported version", http.StatusUpgradeRequired)
		return nil, fmt.Errorf("version %q: %w", r.Header.Get("Sec-WebSocket-Version"), ErrBadHandshake)
	case len(key) != 24:
		http.Error(w, "websocket: bad Sec-WebSocket-Key", http.StatusBadRequest)
		return nil, fmt.Errorf("key: %w", ErrBadHandshake)
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "websocket: hijack not supported", http.StatusInternalServerError)
		return nil, fmt.Errorf("hijack: %w", err)
	}
	var pending []byte
	if n := brw.Reader.Buffered(); n > 0 {
		pending = make([]byte, n)
		_, _ = io.ReadFull(brw.Reader, pending)
	}
	resp := make([]byte, 0, 256)
	resp = append(resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	resp = append(resp, acceptKey(key)...)
	resp = append(resp, "\r\n"...)
	for k, vs := range extra {
		for _, v := range vs {
			resp = append(resp, k...)
			resp = append(resp, ": "...)
			resp = append(resp, v...)
			resp = append(resp, "\r\n"...)
		}
	}
	resp = append(resp, "\r\n"...)
	c := newConn(nc, pending, false, o)
	c.wmu.Lock()
	err = c.writeLocked(resp)
	c.wmu.Unlock()
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	return c, nil
}

// DialOptions configures [Dial].
type DialOptions struct {
	Options
	Header http.Header // extra request headers (e.g. Origin, Cookie)
}

// StatusError is returned by [Dial] when the server answered the upgrade with a non-101 status.
type StatusError struct {
	Status int
	Body   string
}

// Error reports the HTTP status and body of the rejected handshake.
func (e *StatusError) Error() string {
	return fmt.Sprintf("wsconn: handshake status %d: %s", e.Status, e.Body)
}

// Dial opens a client WebSocket connection to rawURL (ws:// or wss://). It honours ctx for the
// connect and handshake. A non-101 answer is a [*StatusError].
func Dial(ctx context.Context, rawURL string, o DialOptions) (*Conn, error) {
	var statusErr *StatusError
	d := ws.Dialer{
		OnStatusError: func(status int, reason []byte, resp io.Reader) {
			res, err := http.ReadResponse(bufioReader(resp), nil)
			body := ""
			if err == nil {
				b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
				body = string(b)
			}
			statusErr = &StatusError{Status: status, Body: body}
		},
	}
	if o.Header != nil {
		d.Header = ws.HandshakeHeaderHTTP(o.Header)
	}
	nc, br, _, err := d.Dial(ctx, rawURL)
	if err != nil {
		if statusErr != nil {
			return nil, statusErr
		}
		return nil, fmt.Errorf("dial %s: %w", rawURL, err)
	}
	var pending []byte
	if br != nil {
		if n := br.Buffered(); n > 0 {
			pending = make([]byte, n)
			_, _ = io.ReadFull(br, pending)
		}
		ws.PutReader(br)
	}
	return newConn(nc, pending, true, o.Options), nil
}
