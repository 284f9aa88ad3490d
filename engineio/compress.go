package engineio

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// defaultCompressionThreshold is Node's httpCompression default ({threshold: 1024}).
const defaultCompressionThreshold = 1024

// maxPooledCompressBuf caps the output buffer a pooled compressor keeps: a rare huge response
// should not pin its buffer in the pool forever.
const maxPooledCompressBuf = 256 << 10

// contentEncoding is a content coding of a polling response.
type contentEncoding uint8

const (
	encIdentity contentEncoding = iota
	encGzip
	encDeflate
)

func (e contentEncoding) String() string {
	switch e {
	case encGzip:
		return "gzip"
	case encDeflate:
		return "deflate"
	}
	return "identity"
}

// negotiateEncoding picks the content coding of a response from the request's Accept-Encoding
// header lines. Like Node (the "accepts" package), only gzip and deflate are offered, "*"
// stands for any coding not listed, a missing header means identity, and q=0 refuses a coding.
// Ties between gzip and deflate go to gzip (Node's negotiator takes the header's order; gzip
// avoids old clients' zlib/raw deflate confusion); an explicit identity with a higher q than
// both is honoured (Node ignores it).
func negotiateEncoding(lines []string) contentEncoding {
	qGzip, qDeflate, qStar, qIdentity := -1.0, -1.0, -1.0, -1.0
	for _, line := range lines {
		for line != "" {
			var item string
			item, line, _ = strings.Cut(line, ",")
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			q, ok := parseQ(params)
			if !ok {
				continue // a malformed q: ignore the entry rather than guess
			}
			var dst *float64
			switch {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				dst = &qGzip
			case strings.EqualFold(name, "deflate"):
				dst = &qDeflate
			case name == "*":
				dst = &qStar
			case strings.EqualFold(name, "identity"):
				dst = &qIdentity
			default:
				continue
			}
			*dst = max(*dst, q)
		}
	}
	if qGzip < 0 {
		qGzip = max(qStar, 0)
	}
	if qDeflate < 0 {
		qDeflate = max(qStar, 0)
	}
	best, q := encGzip, qGzip
	if qDeflate > qGzip {
		best, q = encDeflate, qDeflate
	}
	if q <= 0 || qIdentity > q {
		return encIdentity
	}
	return best
}

// parseQ returns the q parameter among the ";"-separated params of an Accept-Encoding entry
// (1 when absent); ok is false if it is not a number in [0, 1].
func parseQ(params string) (q float64, ok bool) {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0, false
		}
		return q, true
	}
	return 1, true
}

// compressor is a pooled writer with the buffer it writes to: compressing into a buffer lets
// the response carry a Content-Length (as Node's does), and pooling both avoids allocating a
// compressor's several hundred KB of state per response.
type compressor struct {
	buf bytes.Buffer
	w   interface {
		io.WriteCloser
		Reset(io.Writer)
	}
}

// compressorPools holds idle compressors by coding (gzip, deflate) and level (HuffmanOnly..9).
var compressorPools [2][flate.BestCompression - flate.HuffmanOnly + 1]sync.Pool

func poolFor(enc contentEncoding, level int) *sync.Pool {
	return &compressorPools[enc-encGzip][level-flate.HuffmanOnly]
}

// compress returns a compressor holding body encoded with enc at level (a valid, normalized
// Config.HTTPCompressionLevel); the caller returns it with release once the bytes are written.
// HTTP's "deflate" is the zlib format (RFC 9110 8.4.1.2), which is also what Node's
// zlib.createDeflate produces, hence compress/zlib rather than raw compress/flate.
func compress(body []byte, enc contentEncoding, level int) (*compressor, error) {
	c, _ := poolFor(enc, level).Get().(*compressor)
	if c == nil {
		c = new(compressor)
		var err error
		if enc == encGzip {
			c.w, err = gzip.NewWriterLevel(&c.buf, level)
		} else {
			c.w, err = zlib.NewWriterLevel(&c.buf, level)
		}
		if err != nil {
			return nil, fmt.Errorf("engineio: %s compression: %w", enc, err)
		}
	}
	c.buf.Reset()
	c.w.Reset(&c.buf)
	_, err := c.w.Write(body)
	if err == nil {
		err = c.w.Close()
	}
	if err != nil {
		c.release(enc, level)
		return nil, fmt.Errorf("engineio: %s compression: %w", enc, err)
	}
	return c, nil
}

func (c *compressor) release(enc contentEncoding, level int) {
	if c.buf.Cap() > maxPooledCompressBuf {
		c.buf = bytes.Buffer{}
	} else {
		c.buf.Reset()
	}
	poolFor(enc, level).Put(c)
}

// writePoll answers a polling GET with body, compressed when the Server's HTTPCompression
// settings and the request's Accept-Encoding allow it (see Config.HTTPCompressionThreshold).
func (s *Server) writePoll(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.cfg.DisableHTTPCompression || len(body) < s.cfg.HTTPCompressionThreshold {
		writePollResponse(w, body)
		return
	}
	// From this size on the representation depends on Accept-Encoding: say so to caches, even
	// for an identity answer (Node omits Vary; polling responses are no-store anyway, but
	// intermediaries that ignore that must not serve gzip to a client that cannot read it).
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	enc := negotiateEncoding(r.Header.Values("Accept-Encoding"))
	if enc == encIdentity {
		writePollResponse(w, body)
		return
	}
	c, err := compress(body, enc, s.cfg.HTTPCompressionLevel)
	if err != nil {
		// Cannot happen with an in-memory buffer; answer uncompressed rather than fail the
		// session (Node answers 500).
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "engineio: compressing a polling response failed", slog.Any("err", err))
		writePollResponse(w, body)
		return
	}
	h.Set("Content-Encoding", enc.String())
	writePollResponse(w, c.buf.Bytes())
	c.release(enc, s.cfg.HTTPCompressionLevel)
}
