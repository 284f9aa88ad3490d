package engineio

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/sockspec/sockspec/internal/eioproto"
)

var (
	errStop           = errors.New("stop")
	errPollOverlap    = errors.New("overlap from client")
	errPostOverlap    = errors.New("data request overlap from client")
	errPollAborted    = errors.New("poll connection closed prematurely")
	errPostAborted    = errors.New("data request connection closed prematurely")
	errInvalidContent = errors.New("invalid content")
)

// probeNoopDelay is how long a GET that arrives during an upgrade waits before it is released
// with a noop (Node checks every 100ms).
var probeNoopDelay = 100 * time.Millisecond

func writePollResponse(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// readyLocked reports whether a pending GET has something to answer.
func (c *Conn) readyLocked() bool {
	return c.q != nil || c.state != stateOpen || c.kind != kindPolling || (c.up != nil && c.up.release)
}

// servePoll answers a polling GET: it waits until packets are queued (or the session closes,
// or an upgrade needs the poll released), then writes them joined by '\x1e'.
func (c *Conn) servePoll(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if c.pollBusy {
		c.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		c.srv.debug(r, c.id, "overlapping poll requests")
		c.closeWith(ReasonTransportError, errPollOverlap, false)
		return
	}
	c.pollBusy = true
	// During an upgrade (after the probe) nothing more is expected on polling: answer a noop
	// within probeNoopDelay, as Node's upgrade check does, unless the upgrade completes first.
	var noop <-chan time.Time
	if c.up != nil && c.up.probed {
		t := time.NewTimer(probeNoopDelay)
		defer t.Stop()
		noop = t.C
	}
	for !c.readyLocked() {
		ch := make(chan struct{})
		c.pollWake = ch
		c.mu.Unlock()
		select {
		case <-ch:
		case <-noop:
			c.mu.Lock()
			if c.pollWake == ch {
				c.pollWake = nil
			}
			if c.up != nil {
				c.up.release = true
			}
			continue
		case <-r.Context().Done():
			c.mu.Lock()
			c.pollBusy = false
			if c.pollWake == ch {
				c.pollWake = nil
			}
			c.mu.Unlock()
			c.fail(ReasonTransportError, errPollAborted)
			return
		}
		c.mu.Lock()
	}
	if c.state == stateOpen && c.kind != kindPolling {
		c.pollBusy = false
		c.mu.Unlock()
		WriteError(w, r, CodeBadRequest, "")
		return
	}
	var body []byte
	finish := false
	switch {
	case c.state != stateOpen:
		finish = true
		if c.reason == ReasonTransportClose {
			body = []byte{byte(eioproto.Noop)}
		} else {
			body = c.drainLocked(true)
		}
	case c.q != nil:
		body = c.drainLocked(false)
	default:
		body = []byte{byte(eioproto.Noop)} // upgrade probed: release the poll
		if c.up != nil {
			c.up.release = false
		}
	}
	c.pollBusy = false
	c.mu.Unlock()
	c.srv.writePoll(w, r, body)
	if finish {
		c.finish()
	}
}

// drainLocked encodes the queue as a polling payload, with a close packet at the end if asked.
func (c *Conn) drainLocked(closePacket bool) []byte {
	b := c.takeLocked()
	n := 1
	if b != nil {
		for _, it := range b.items {
			n += eioproto.PacketLen(eioproto.Packet{Type: it.typ, Data: it.data, Binary: it.binary}) + 1
		}
	}
	body := make([]byte, 0, n)
	if b != nil {
		for i, it := range b.items {
			if i > 0 {
				body = append(body, eioproto.Separator)
			}
			body = eioproto.AppendPacket(body, eioproto.Packet{Type: it.typ, Data: it.data, Binary: it.binary})
		}
		putBatch(b)
	}
	if closePacket {
		if len(body) > 0 {
			body = append(body, eioproto.Separator)
		}
		body = append(body, byte(eioproto.Close))
	}
	return body
}

// servePost reads a polling POST body (at most MaxHTTPBufferSize bytes, else HTTP 413) and
// processes its packets in order.
func (c *Conn) servePost(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Type") == "application/octet-stream" {
		w.WriteHeader(http.StatusBadRequest)
		c.closeWith(ReasonTransportError, errInvalidContent, false)
		return
	}
	c.mu.Lock()
	if c.postBusy {
		c.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		c.closeWith(ReasonTransportError, errPostOverlap, false)
		return
	}
	c.postBusy = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.postBusy = false
		c.mu.Unlock()
	}()
	defer c.recoverPanic("POST")
	limit := c.srv.cfg.MaxHTTPBufferSize
	if r.ContentLength > limit {
		c.srv.warnTooBig(r, c.id, r.ContentLength)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.srv.warnTooBig(r, c.id, -1)
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		c.fail(ReasonTransportError, fmt.Errorf("%w: %w", errPostAborted, err))
		return
	}
	var perr error
	err = eioproto.EachPacket(body, func(p eioproto.Packet) error {
		if !c.handlePacket(p) {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		perr = err
	}
	if perr != nil {
		c.srv.debug(r, c.id, "bad polling payload")
		WriteError(w, r, CodeBadRequest, "")
		c.closeWith(ReasonParseError, perr, false)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", "2")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

func (s *Server) debug(r *http.Request, sid, msg string) {
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "engineio: "+msg, slog.String("sid", sid), slog.String("remote", r.RemoteAddr))
	}
}

func (s *Server) warnTooBig(r *http.Request, sid string, n int64) {
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "engineio: polling body exceeds MaxHTTPBufferSize",
		slog.String("sid", sid), slog.String("remote", r.RemoteAddr), slog.Int64("length", n))
}
