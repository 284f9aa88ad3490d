package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Transport names an Engine.IO transport.
type Transport string

// The Engine.IO transports.
const (
	// Polling is HTTP long-polling.
	Polling Transport = "polling"
	// WebSocket is the WebSocket transport.
	WebSocket Transport = "websocket"
)

// Config configures a [Manager] (and so every [Socket] it multiplexes). The zero value works:
// it connects like socket.io-client's defaults (path "/socket.io/", polling first then an
// upgrade to WebSocket, reconnection with backoff).
type Config struct {
	// Path is the Engine.IO endpoint path. Empty means "/socket.io/".
	Path string
	// Transports lists the transports the client may use, in order. The first one opens the
	// connection; if it is Polling and WebSocket is also listed (and the server offers it), the
	// connection is upgraded to WebSocket after the handshake. Nil means {Polling, WebSocket}.
	// {WebSocket} connects over WebSocket only and {Polling} never upgrades.
	Transports []Transport
	// Auth is the CONNECT payload of the Socket returned by [Dial] (a value that encodes as a
	// JSON object, or nil for none). Sockets made with [Manager.Socket] take their own.
	Auth any
	// Query holds extra query parameters sent with every Engine.IO request.
	Query url.Values
	// Header holds extra HTTP headers sent with every polling request and with the
	// WebSocket handshake.
	Header http.Header
	// Reconnection configures automatic reconnection after the connection is lost.
	Reconnection Reconnection
	// Timeout bounds each Engine.IO handshake (in Dial, Connect and every reconnection
	// attempt), like socket.io-client's timeout option. Zero means 20s.
	Timeout time.Duration
	// HTTPClient performs the polling requests. Nil means a client private to the Manager,
	// whose idle connections are closed by [Manager.Close]. A caller-supplied client is not
	// closed.
	HTTPClient *http.Client
	// Logger receives debug logs about protocol problems. Nil means slog.Default().
	Logger *slog.Logger
	// MaxQueueBytes bounds the outgoing packets the connection holds, queued or being
	// written, in bytes (each packet's data plus one, as engineio.Config.MaxQueueBytes counts
	// them). Zero means 1 MiB, the server's default. An Emit or EmitWithAck that would exceed
	// it fails with a [*QueueFullError] ([ErrQueueFull]) and the connection stays open; a
	// single event larger than the bound can never be sent, so raise it together with the
	// server's maxHttpBufferSize. Negative is invalid.
	MaxQueueBytes int
}

// Reconnection configures automatic reconnection. The zero value enables it with
// socket.io-client's defaults: unlimited attempts, a delay starting at 1s and doubling up to 5s,
// randomised by ±50%.
type Reconnection struct {
	// Disable turns automatic reconnection off.
	Disable bool
	// Attempts is the number of attempts before giving up; zero means unlimited.
	Attempts int
	// Delay is the first delay. Zero means 1s.
	Delay time.Duration
	// DelayMax caps the delay. Zero means 5s.
	DelayMax time.Duration
	// RandomizationFactor is the jitter, between 0 and 1. Zero means 0.5; a negative value
	// means no jitter.
	RandomizationFactor float64
}

const (
	defaultPath     = "/socket.io/"
	defaultTimeout  = 20 * time.Second
	defaultDelay    = time.Second
	defaultDelayMax = 5 * time.Second
	defaultJitter   = 0.5
	// defaultMaxQueueBytes is engineio's default MaxQueueBytes: a client holds no more for
	// a stalled server than the server holds for a stalled client.
	defaultMaxQueueBytes = 1 << 20
)

// options is a Config with its defaults applied, plus the parsed URL.
type options struct {
	base       *url.URL // scheme http or https, host, path = Engine.IO path
	transports []Transport
	query      url.Values
	header     http.Header
	reconn     Reconnection
	timeout    time.Duration
	httpClient *http.Client
	ownClient  bool
	logger     *slog.Logger
	// maxQueueBytes bounds the bytes of an engine's outgoing packets (Config.MaxQueueBytes).
	maxQueueBytes int
}

// errConfig is wrapped by every configuration error.
var errConfig = errors.New("client: invalid config")

func newOptions(rawURL string, cfg Config) (*options, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("%w: parse url: %w", errConfig, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, "", fmt.Errorf("%w: url scheme %q (want http, https, ws or wss)", errConfig, u.Scheme)
	}
	if u.Host == "" {
		return nil, "", fmt.Errorf("%w: url %q has no host", errConfig, rawURL)
	}
	nsp := u.Path
	if nsp == "" {
		nsp = "/"
	}
	o := &options{
		transports:    cfg.Transports,
		query:         url.Values{},
		header:        cfg.Header.Clone(),
		reconn:        cfg.Reconnection,
		timeout:       cfg.Timeout,
		httpClient:    cfg.HTTPClient,
		logger:        cfg.Logger,
		maxQueueBytes: cfg.MaxQueueBytes,
	}
	for k, v := range u.Query() {
		o.query[k] = append([]string(nil), v...)
	}
	for k, v := range cfg.Query {
		o.query[k] = append([]string(nil), v...)
	}
	path := cfg.Path
	if path == "" {
		path = defaultPath
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	o.base = &url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host, Path: path}
	if len(o.transports) == 0 {
		o.transports = []Transport{Polling, WebSocket}
	}
	for _, t := range o.transports {
		if t != Polling && t != WebSocket {
			return nil, "", fmt.Errorf("%w: unknown transport %q", errConfig, t)
		}
	}
	if o.header == nil {
		o.header = http.Header{}
	}
	switch {
	case o.maxQueueBytes == 0:
		o.maxQueueBytes = defaultMaxQueueBytes
	case o.maxQueueBytes < 0:
		return nil, "", fmt.Errorf("%w: negative MaxQueueBytes %d", errConfig, o.maxQueueBytes)
	}
	if o.timeout <= 0 {
		o.timeout = defaultTimeout
	}
	if o.reconn.Delay <= 0 {
		o.reconn.Delay = defaultDelay
	}
	if o.reconn.DelayMax <= 0 {
		o.reconn.DelayMax = defaultDelayMax
	}
	if o.reconn.DelayMax < o.reconn.Delay {
		o.reconn.DelayMax = o.reconn.Delay
	}
	switch {
	case o.reconn.RandomizationFactor == 0:
		o.reconn.RandomizationFactor = defaultJitter
	case o.reconn.RandomizationFactor < 0:
		o.reconn.RandomizationFactor = 0
	case o.reconn.RandomizationFactor > 1:
		return nil, "", fmt.Errorf("%w: randomization factor %v > 1", errConfig, o.reconn.RandomizationFactor)
	}
	if o.httpClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		o.httpClient = &http.Client{Transport: tr}
		o.ownClient = true
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o, nsp, nil
}

// has reports whether t is allowed.
func (o *options) has(t Transport) bool {
	for _, x := range o.transports {
		if x == t {
			return true
		}
	}
	return false
}

// engineURL returns the URL of an Engine.IO request over transport t, with sid if non-empty.
func (o *options) engineURL(t Transport, sid string) *url.URL {
	u := *o.base
	if t == WebSocket {
		if u.Scheme == "https" {
			u.Scheme = "wss"
		} else {
			u.Scheme = "ws"
		}
	}
	q := url.Values{}
	for k, v := range o.query {
		q[k] = v
	}
	q.Set("EIO", "4")
	q.Set("transport", string(t))
	if sid != "" {
		q.Set("sid", sid)
	}
	u.RawQuery = q.Encode()
	return &u
}
