package socketio

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Handshake describes a namespace connection request: the Engine.IO
// handshake's HTTP request plus the CONNECT packet's auth payload. It is
// built once per namespace connection, before the middlewares run, and is
// then read-only except for the values middlewares attach with
// [Handshake.Set] (safe for concurrent use).
type Handshake struct {
	// Header is the handshake request's headers (shared, do not modify).
	Header http.Header
	// Query is the handshake request's URL query.
	Query url.Values
	// Auth is the CONNECT packet's payload, a JSON object; "{}" when the
	// client sent none.
	Auth json.RawMessage
	// Address is the remote address (host without port) of the handshake request.
	Address string
	// Time is when the namespace connection was requested.
	Time time.Time
	// Secure reports whether the handshake came over TLS.
	Secure bool
	// XDomain reports whether the request had an Origin header.
	XDomain bool
	// URL is the handshake request's URL (path and query).
	URL string

	mu     sync.Mutex
	values map[any]any
}

// Issued returns Time in Unix milliseconds, as Node's handshake.issued.
func (h *Handshake) Issued() int64 { return h.Time.UnixMilli() }

// Set attaches a value to the connection, typically a security principal
// found by a middleware. It is readable later with [Handshake.Value] and
// [Socket.Value]. Use an unexported key type, as for context values.
func (h *Handshake) Set(key, value any) {
	h.mu.Lock()
	if h.values == nil {
		h.values = make(map[any]any, 1)
	}
	h.values[key] = value
	h.mu.Unlock()
}

// Value returns the value attached under key, or nil.
func (h *Handshake) Value(key any) any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.values[key]
}

func newHandshake(r *http.Request, auth json.RawMessage, now time.Time) *Handshake {
	h := &Handshake{Auth: auth, Time: now}
	if r == nil {
		return h
	}
	h.Header = r.Header
	if r.URL != nil {
		h.Query = r.URL.Query()
		h.URL = r.URL.RequestURI()
	}
	h.Address = r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		h.Address = host
	}
	h.Secure = r.TLS != nil
	h.XDomain = r.Header.Get("Origin") != ""
	return h
}
