package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/sockspec/sockspec/internal/eioproto"
)

// maxPollBody bounds the body of one polling response (a misbehaving server cannot make the
// client allocate without limit).
const maxPollBody = 64 << 20

// pollCounter makes every polling URL unique, like socket.io-client's timestamp parameter, so
// that no cache answers a poll.
var pollCounter atomic.Uint64

// polling is the HTTP long-polling transport.
type polling struct {
	opts       *options
	sid        string
	maxPayload int
	paused     chan struct{} // closed when run stops for an upgrade
}

func (p *polling) name() Transport { return Polling }

func (p *polling) request(ctx context.Context, method string, body []byte) (*http.Request, error) {
	u := p.opts.engineURL(Polling, p.sid)
	q := u.Query()
	q.Set("t", strconv.FormatUint(pollCounter.Add(1), 36))
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("polling %s: %w", method, err)
	}
	for k, v := range p.opts.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	return req, nil
}

// get performs one poll and decodes its payload (at least one packet).
func (p *polling) get(ctx context.Context) ([]eioproto.Packet, error) {
	req, err := p.request(ctx, http.MethodGet, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.opts.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("polling GET: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPollBody+1))
	if err != nil {
		return nil, fmt.Errorf("polling GET: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{StatusCode: resp.StatusCode, Body: string(body)}
	}
	if len(body) > maxPollBody {
		return nil, fmt.Errorf("polling GET: response body exceeds %d bytes", maxPollBody)
	}
	pkts, err := eioproto.DecodePayload(body)
	if err != nil {
		return nil, fmt.Errorf("polling GET: %w", err)
	}
	return pkts, nil
}

func (p *polling) post(ctx context.Context, body []byte) error {
	req, err := p.request(ctx, http.MethodPost, body)
	if err != nil {
		return err
	}
	resp, err := p.opts.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("polling POST: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{StatusCode: resp.StatusCode, Body: string(msg)}
	}
	return nil
}

// write posts pkts, split into payloads of at most maxPayload bytes (one packet larger than
// that is posted alone, and the server rejects it).
func (p *polling) write(ctx context.Context, pkts []eioproto.Packet) error {
	var body []byte
	n := 0
	for i, pk := range pkts {
		l := eioproto.PacketLen(pk)
		if n > 0 && n+1+l > p.maxPayload {
			if err := p.post(ctx, body); err != nil {
				return err
			}
			body, n = body[:0], 0
		}
		if n > 0 {
			body = append(body, eioproto.Separator)
			n++
		}
		body = eioproto.AppendPacket(body, pkts[i])
		n += l
	}
	if n == 0 {
		return nil
	}
	return p.post(ctx, body)
}

// run polls until the session ends, or until an upgrade asks it to pause.
func (p *polling) run(e *engine) {
	for {
		e.mu.Lock()
		up := e.upgrading
		e.mu.Unlock()
		if up {
			close(p.paused)
			return
		}
		pkts, err := p.get(e.ctx)
		if err != nil {
			if e.ctx.Err() == nil {
				reason := reasonTransportError
				if herr := (*HTTPError)(nil); errors.As(err, &herr) {
					reason = reasonTransportClose
				}
				e.fail(reason, err)
			}
			return
		}
		for _, pk := range pkts {
			if !e.onPacket(pk) {
				return
			}
		}
	}
}

// close does nothing: polling requests use the session's ctx, which is cancelled on close.
func (p *polling) close() {}

// HTTPError is an unexpected HTTP answer to an Engine.IO request (a polling request or the
// WebSocket handshake), such as the server's 400 {"code":1,"message":"Session ID unknown"}.
type HTTPError struct {
	StatusCode int
	Body       string
}

// Error returns the status code and the body.
func (e *HTTPError) Error() string {
	return "client: HTTP " + strconv.Itoa(e.StatusCode) + ": " + e.Body
}
