package engineio

import (
	"compress/flate"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Transport names as they appear in the "transport" query parameter.
const (
	TransportPolling   = "polling"
	TransportWebSocket = "websocket"
)

// Config configures a [Server]. The zero value of every field selects the documented default,
// except OnConnection, which is required.
type Config struct {
	// Path is the URL path served, "" means "/socket.io/". A trailing slash is added if missing;
	// requests to the path without it are served too.
	Path string
	// PingInterval is the time between server pings; zero means 25s.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for a pong; zero means 20s.
	PingTimeout time.Duration
	// UpgradeTimeout bounds a polling to WebSocket upgrade; zero means 10s.
	UpgradeTimeout time.Duration
	// MaxHTTPBufferSize is the largest polling request body and the largest WebSocket message,
	// in bytes; zero means 1e6. It is advertised to clients as maxPayload.
	MaxHTTPBufferSize int64
	// Transports lists the enabled transports; nil means {"polling", "websocket"}.
	Transports []string
	// DisableUpgrades stops offering the polling to WebSocket upgrade (the zero value allows it).
	DisableUpgrades bool
	// AllowRequest, if set, is called for every handshake request; a non-nil error rejects it
	// with HTTP 403 and {"code":4,"message":<the error's text>} (polling; see the package
	// documentation for WebSocket answers).
	AllowRequest func(r *http.Request) error
	// CORS, if set, adds CORS headers to polling responses and answers preflight requests.
	CORS *CORSConfig
	// CheckOrigin, if set, is called for every WebSocket request (direct or upgrade); false
	// rejects it with code 4 Forbidden. Nil accepts any origin, like the Node server.
	CheckOrigin func(r *http.Request) bool
	// MaxQueueBytes bounds each connection's outbound queue in bytes; zero means 1 MiB. A Send
	// that would exceed it closes the connection with [ReasonSlowConsumer].
	MaxQueueBytes int
	// HTTPCompressionThreshold is the size in bytes from which a polling GET response is
	// compressed, with gzip or deflate as the request's Accept-Encoding allows; zero means 1024,
	// Node's httpCompression default. Smaller bodies are never compressed (the codec's header
	// and CPU cost would outweigh the saving). The handshake response (the open packet) is not
	// compressed, nor are POST answers and WebSocket frames.
	HTTPCompressionThreshold int
	// HTTPCompressionLevel is the compress/flate level of polling response compression: zero
	// means flate.DefaultCompression (level 6, zlib's default and so Node's);
	// flate.BestSpeed (1) to flate.BestCompression (9) or flate.HuffmanOnly select another.
	// BestSpeed is about 3x faster (BenchmarkPollCompressed8K) for ~15% larger bodies.
	HTTPCompressionLevel int
	// DisableHTTPCompression turns polling response compression off (Node's
	// httpCompression: false); the zero value compresses, as Node does by default.
	DisableHTTPCompression bool
	// WriteTimeout bounds each WebSocket write; zero means 10s.
	WriteTimeout time.Duration
	// Logger receives warnings and debug records; nil means slog.Default().
	Logger *slog.Logger
	// OnConnection is called once per new session, before any message of the peer is delivered;
	// messages it sends follow the open packet. Set the Conn's OnMessage and OnClose inside it.
	// Required.
	OnConnection func(c *Conn)
}

// CORSConfig configures the CORS headers of polling responses, like the options of the Node
// "cors" package that engine.io uses.
type CORSConfig struct {
	// Origins lists the allowed origins. "*" allows any origin and answers
	// "Access-Control-Allow-Origin: *" (or reflects the origin when Credentials is set).
	Origins []string
	// AllowOrigin, if set, decides instead of Origins; allowed origins are reflected.
	AllowOrigin func(origin string) bool
	// Credentials adds "Access-Control-Allow-Credentials: true".
	Credentials bool
	// Methods for preflight answers; nil means GET,HEAD,PUT,PATCH,POST,DELETE.
	Methods []string
	// AllowedHeaders for preflight answers; nil reflects Access-Control-Request-Headers.
	AllowedHeaders []string
	// ExposedHeaders, if any, are listed in Access-Control-Expose-Headers.
	ExposedHeaders []string
	// MaxAge, if positive, is sent as Access-Control-Max-Age (seconds) on preflight answers.
	MaxAge time.Duration
}

const (
	defaultPath          = "/socket.io/"
	defaultPingInterval  = 25 * time.Second
	defaultPingTimeout   = 20 * time.Second
	defaultUpgradeTO     = 10 * time.Second
	defaultMaxBuffer     = 1e6
	defaultMaxQueueBytes = 1 << 20
	defaultWriteTimeout  = 10 * time.Second
	// pollCloseTimeout bounds how long a gracefully closing polling session waits for the next
	// GET to deliver its last packets (Node's closeTimeout).
	pollCloseTimeout = 30 * time.Second
)

// closeGrace is how long a polling session closed by the client's close packet waits for a GET
// racing with it. (A variable for tests.)
var closeGrace = 100 * time.Millisecond

func (cfg Config) normalize() (Config, error) {
	if cfg.OnConnection == nil {
		return cfg, errors.New("engineio: Config.OnConnection is required")
	}
	if cfg.Path == "" {
		cfg.Path = defaultPath
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		return cfg, fmt.Errorf("engineio: Config.Path %q must start with /", cfg.Path)
	}
	if !strings.HasSuffix(cfg.Path, "/") {
		cfg.Path += "/"
	}
	if cfg.PingInterval < 0 || cfg.PingTimeout < 0 || cfg.UpgradeTimeout < 0 || cfg.MaxHTTPBufferSize < 0 || cfg.MaxQueueBytes < 0 || cfg.WriteTimeout < 0 || cfg.HTTPCompressionThreshold < 0 {
		return cfg, errors.New("engineio: negative durations and sizes are invalid")
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = defaultPingInterval
	}
	if cfg.PingTimeout == 0 {
		cfg.PingTimeout = defaultPingTimeout
	}
	if cfg.UpgradeTimeout == 0 {
		cfg.UpgradeTimeout = defaultUpgradeTO
	}
	if cfg.MaxHTTPBufferSize == 0 {
		cfg.MaxHTTPBufferSize = defaultMaxBuffer
	}
	if cfg.MaxQueueBytes == 0 {
		cfg.MaxQueueBytes = defaultMaxQueueBytes
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = defaultWriteTimeout
	}
	if cfg.HTTPCompressionThreshold == 0 {
		cfg.HTTPCompressionThreshold = defaultCompressionThreshold
	}
	if cfg.HTTPCompressionLevel == 0 {
		cfg.HTTPCompressionLevel = flate.DefaultCompression
	}
	if cfg.HTTPCompressionLevel < flate.HuffmanOnly || cfg.HTTPCompressionLevel > flate.BestCompression {
		return cfg, fmt.Errorf("engineio: Config.HTTPCompressionLevel %d is not a compress/flate level", cfg.HTTPCompressionLevel)
	}
	if cfg.Transports == nil {
		cfg.Transports = []string{TransportPolling, TransportWebSocket}
	}
	if len(cfg.Transports) == 0 {
		return cfg, errors.New("engineio: Config.Transports is empty")
	}
	for _, t := range cfg.Transports {
		if t != TransportPolling && t != TransportWebSocket {
			return cfg, fmt.Errorf("engineio: unknown transport %q", t)
		}
	}
	cfg.Transports = slices.Clone(cfg.Transports)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}
