package engineio_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/engineio"
)

// pollResult is a polling GET answer as it was on the wire (not decompressed).
type pollResult struct {
	status   int
	encoding string // Content-Encoding
	length   string // Content-Length
	vary     []string
	raw      []byte
}

// rawPoll performs a polling GET for sid with a client that never adds nor strips compression;
// acceptEncoding "-" sends no Accept-Encoding header.
func (e *env) rawPoll(sid, acceptEncoding string) pollResult {
	e.t.Helper()
	p, err := rawPollErr(e.t.Context(), e.url, sid, acceptEncoding)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// rawPollErr is rawPoll for goroutines other than the test's.
func rawPollErr(ctx context.Context, url, sid, acceptEncoding string) (pollResult, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url+"?EIO=4&transport=polling&sid="+sid, nil)
	if err != nil {
		return pollResult{}, err
	}
	if acceptEncoding != "-" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return pollResult{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return pollResult{}, err
	}
	return pollResult{res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Length"), res.Header.Values("Vary"), raw}, nil
}

// decoded returns the payload, decompressed according to Content-Encoding, and checks the
// headers that go with it.
func (p pollResult) decoded(t *testing.T) string {
	t.Helper()
	s, err := p.decode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (p pollResult) decode() (string, error) {
	if p.status != 200 {
		return "", fmt.Errorf("status %d: %q", p.status, p.raw)
	}
	if p.length != strconv.Itoa(len(p.raw)) {
		return "", fmt.Errorf("Content-Length %q, body %d bytes", p.length, len(p.raw))
	}
	var rd io.ReadCloser
	var err error
	switch p.encoding {
	case "":
		return string(p.raw), nil
	case "gzip":
		rd, err = gzip.NewReader(bytes.NewReader(p.raw))
	case "deflate":
		rd, err = zlib.NewReader(bytes.NewReader(p.raw))
	default:
		return "", fmt.Errorf("Content-Encoding %q", p.encoding)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", p.encoding, err)
	}
	b, err := io.ReadAll(rd)
	if err == nil {
		err = rd.Close()
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", p.encoding, err)
	}
	return string(b), nil
}

func varies(p pollResult) bool { return slices.Contains(p.vary, "Accept-Encoding") }

func mustSend(t *testing.T, c *engineio.Conn, m engineio.Message) {
	t.Helper()
	if err := c.Send(m); err != nil {
		t.Fatal(err)
	}
}

// TestPollCompressionThreshold checks that a body of exactly the threshold is compressed and
// one byte less is not (Node compresses unless len < threshold), with the default of 1024.
func TestPollCompressionThreshold(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	for _, tt := range []struct {
		bodyLen int
		want    string
	}{{1023, ""}, {1024, "gzip"}, {1, ""}, {100_000, "gzip"}} {
		data := strings.Repeat("a", tt.bodyLen-1) // the body is "4" + data
		mustSend(t, c, engineio.Message{Data: []byte(data)})
		p := e.rawPoll(sid, "gzip")
		if p.encoding != tt.want {
			t.Fatalf("body of %d bytes: Content-Encoding %q, want %q", tt.bodyLen, p.encoding, tt.want)
		}
		if got := p.decoded(t); got != "4"+data {
			t.Fatalf("body of %d bytes: got %d bytes %.20q", tt.bodyLen, len(got), got)
		}
		if varies(p) != (tt.want != "") {
			t.Fatalf("body of %d bytes: Vary %q", tt.bodyLen, p.vary)
		}
		if tt.want != "" && len(p.raw) >= tt.bodyLen {
			t.Fatalf("body of %d bytes sent as %d bytes", tt.bodyLen, len(p.raw))
		}
	}
}

// TestPollCompressionNegotiation checks the coding chosen for each Accept-Encoding.
func TestPollCompressionNegotiation(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	for i, tt := range []struct {
		accept string
		want   string
	}{
		{"-", ""}, // no header
		{"", ""},
		{"gzip", "gzip"},
		{"GZip", "gzip"},
		{"x-gzip", "gzip"},
		{"deflate", "deflate"},
		{"gzip, deflate, br", "gzip"},
		{"deflate, gzip", "gzip"},
		{"deflate, gzip;q=0.5", "deflate"},
		{"gzip;q=0.8, deflate;q=0.9", "deflate"},
		{"gzip; q=0, deflate", "deflate"},
		{"gzip;q=0", ""},
		{"gzip;q=0.000", ""},
		{"gzip;q=abc", ""},
		{"gzip;q=2", ""},
		{"br, zstd", ""},
		{"identity", ""},
		{"*", "gzip"},
		{"*;q=0", ""},
		{"*;q=0.5, gzip;q=0", "deflate"},
		{"gzip;q=0.5, identity", ""},
		{"gzip, identity;q=0.5", "gzip"},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip"},
	} {
		data := fmt.Sprintf("%d:%s", i, strings.Repeat("compressible ", 200))
		mustSend(t, c, engineio.Message{Data: []byte(data)})
		p := e.rawPoll(sid, tt.accept)
		if p.encoding != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, p.encoding, tt.want)
		}
		if got := p.decoded(t); got != "4"+data {
			t.Fatalf("Accept-Encoding %q: got %.30q...", tt.accept, got)
		}
		// Above the threshold the answer depends on Accept-Encoding, compressed or not.
		if !varies(p) {
			t.Errorf("Accept-Encoding %q: Vary %q", tt.accept, p.vary)
		}
	}
}

func TestPollCompressionConfig(t *testing.T) {
	big := strings.Repeat("x", 10_000)
	t.Run("disabled", func(t *testing.T) {
		e := newEnv(t, engineio.Config{DisableHTTPCompression: true})
		sid, c := e.pollingSession()
		mustSend(t, c, engineio.Message{Data: []byte(big)})
		p := e.rawPoll(sid, "gzip, deflate")
		if p.encoding != "" || varies(p) || p.decoded(t) != "4"+big {
			t.Fatalf("Content-Encoding %q, Vary %q, %d bytes", p.encoding, p.vary, len(p.raw))
		}
	})
	t.Run("threshold", func(t *testing.T) {
		e := newEnv(t, engineio.Config{HTTPCompressionThreshold: 10})
		sid, c := e.pollingSession()
		mustSend(t, c, engineio.Message{Data: []byte("123456789")})
		if p := e.rawPoll(sid, "gzip"); p.encoding != "gzip" || p.decoded(t) != "4123456789" {
			t.Fatalf("10 bytes: Content-Encoding %q", p.encoding)
		}
		mustSend(t, c, engineio.Message{Data: []byte("12345678")})
		if p := e.rawPoll(sid, "gzip"); p.encoding != "" || p.decoded(t) != "412345678" {
			t.Fatalf("9 bytes: Content-Encoding %q", p.encoding)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, cfg := range []engineio.Config{{HTTPCompressionThreshold: -1}, {HTTPCompressionLevel: 10}, {HTTPCompressionLevel: -3}} {
			cfg.OnConnection = func(*engineio.Conn) {}
			if _, err := engineio.NewServer(cfg); err == nil {
				t.Fatalf("%+v: want error", cfg)
			}
		}
	})
	t.Run("level", func(t *testing.T) {
		// Repetitive text: LZ matching (any real level) shrinks it far more than Huffman
		// coding alone can, so the level visibly reaches the compressor.
		size := map[int]int{}
		for _, level := range []int{0, flate.BestSpeed, flate.BestCompression, flate.HuffmanOnly} {
			e := newEnv(t, engineio.Config{HTTPCompressionLevel: level})
			sid, c := e.pollingSession()
			for _, enc := range []string{"gzip", "deflate"} {
				mustSend(t, c, engineio.Message{Data: []byte(big)})
				p := e.rawPoll(sid, enc)
				if p.encoding != enc || p.decoded(t) != "4"+big {
					t.Fatalf("level %d: Content-Encoding %q", level, p.encoding)
				}
				size[level] = len(p.raw)
			}
		}
		if size[flate.HuffmanOnly] < 10*size[0] || size[flate.HuffmanOnly] < 10*size[flate.BestSpeed] || size[flate.HuffmanOnly] < 10*size[flate.BestCompression] {
			t.Fatalf("compressed sizes by level: %v", size)
		}
	})
	t.Run("handshake and POST uncompressed", func(t *testing.T) {
		e := newEnv(t, engineio.Config{HTTPCompressionThreshold: 1})
		st, body, hdr := e.do("GET", "EIO=4&transport=polling", "", http.Header{"Accept-Encoding": {"gzip"}})
		if st != 200 || hdr.Get("Content-Encoding") != "" {
			t.Fatalf("handshake: %d, Content-Encoding %q", st, hdr.Get("Content-Encoding"))
		}
		sid := parseOpen(t, body).SID
		e.conn()
		st, body, hdr = e.do("POST", "EIO=4&transport=polling&sid="+sid, "4hello", http.Header{"Accept-Encoding": {"gzip"}})
		if st != 200 || body != "ok" || hdr.Get("Content-Encoding") != "" {
			t.Fatalf("POST: %d %q, Content-Encoding %q", st, body, hdr.Get("Content-Encoding"))
		}
		// The echo comes back compressed, threshold 1 compresses everything.
		if p := e.rawPoll(sid, "gzip"); p.encoding != "gzip" || p.decoded(t) != "4hello" {
			t.Fatalf("GET: Content-Encoding %q", p.encoding)
		}
	})
}

// TestPollCompressionBinaryRoundTrip sends large random binary messages (base64 in the
// payload) with both codings and checks every byte after decompression.
func TestPollCompressionBinaryRoundTrip(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	sid, c := e.pollingSession()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, enc := range []string{"gzip", "deflate", "gzip"} {
		msgs := make([][]byte, 3)
		for i := range msgs {
			msgs[i] = make([]byte, 100_000+i)
			for j := range msgs[i] {
				msgs[i][j] = byte(rng.Uint32())
			}
			mustSend(t, c, engineio.Message{Data: msgs[i], Binary: true})
		}
		p := e.rawPoll(sid, enc)
		if p.encoding != enc {
			t.Fatalf("Content-Encoding %q, want %q", p.encoding, enc)
		}
		parts := strings.Split(p.decoded(t), "\x1e")
		if len(parts) != len(msgs) {
			t.Fatalf("%d packets, want %d", len(parts), len(msgs))
		}
		for i, part := range parts {
			got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(part, "b"))
			if !strings.HasPrefix(part, "b") || err != nil || !bytes.Equal(got, msgs[i]) {
				t.Fatalf("%s: message %d does not round-trip (err %v)", enc, i, err)
			}
		}
	}
}

// TestPollCompressionConcurrent compresses distinct payloads on many sessions at once: pooled
// compressors must never mix up their buffers (run with -race).
func TestPollCompressionConcurrent(t *testing.T) {
	e := newEnv(t, engineio.Config{})
	const sessions, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for s := range sessions {
		sid, c := e.pollingSession()
		wg.Go(func() {
			for r := range rounds {
				data := strings.Repeat(fmt.Sprintf("[session %d round %d]", s, r), 100+s*50+r)
				if err := c.Send(engineio.Message{Data: []byte(data)}); err != nil {
					errs <- err
					return
				}
				p, err := rawPollErr(t.Context(), e.url, sid, []string{"gzip", "deflate"}[(s+r)%2])
				if err != nil {
					errs <- err
					return
				}
				got, err := p.decode()
				if err != nil || p.encoding == "" || got != "4"+data {
					errs <- fmt.Errorf("session %d round %d: wrong body (Content-Encoding %q, err %v)", s, r, p.encoding, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestGoClientPollingCompressed runs the Go client (polling only) against an Engine.IO
// server speaking just enough Socket.IO to echo an event: a >1 KB event must arrive intact,
// and the wire response must have been gzip (net/http asks for it and decompresses).
func TestGoClientPollingCompressed(t *testing.T) {
	e := newEnv(t, engineio.Config{OnConnection: func(c *engineio.Conn) {
		c.OnMessage(func(data []byte, binary bool) {
			switch {
			case len(data) > 0 && data[0] == '0': // Socket.IO CONNECT to "/"
				_ = c.Send(engineio.Message{Data: []byte(`0{"sid":"sio-` + c.ID() + `"}`)})
			case len(data) > 0 && data[0] == '2': // EVENT: echo it
				_ = c.Send(engineio.Message{Data: data})
			}
		})
	}})
	var mu sync.Mutex
	compressed := 0
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		res, err := tr.RoundTrip(r)
		if err == nil && res.Uncompressed && r.Method == http.MethodGet {
			mu.Lock()
			compressed++
			mu.Unlock()
		}
		return res, err
	})}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := client.Dial(ctx, e.hs.URL, client.Config{
		Path:         "/engine.io/",
		Transports:   []client.Transport{client.Polling},
		HTTPClient:   hc,
		Reconnection: client.Reconnection{Disable: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Manager().Close()
	got := make(chan string, 1)
	s.On("echo", func(_ context.Context, args client.Args) []any {
		var v string
		if err := args.Unmarshal(0, &v); err != nil {
			v = err.Error()
		}
		got <- v
		return nil
	})
	rng := rand.New(rand.NewPCG(3, 4))
	want := make([]byte, 5000)
	for i := range want {
		want[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
	}
	if err := s.Emit(ctx, "echo", string(want)); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if v != string(want) {
			t.Fatalf("echo: got %d bytes %.40q, want %d bytes", len(v), v, len(want))
		}
	case <-ctx.Done():
		t.Fatal("no echo")
	}
	mu.Lock()
	defer mu.Unlock()
	if compressed == 0 {
		t.Fatal("no polling response was gzip on the wire")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// discardWriter is a reusable http.ResponseWriter that only counts bytes.
type discardWriter struct {
	h http.Header
	n int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkPollCompressed8K measures one 8 KB message delivered by a polling GET, served
// in-process (no network), per Accept-Encoding; allocs/op shows the compressors are pooled.
func BenchmarkPollCompressed8K(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 8<<10; i++ {
		fmt.Fprintf(&sb, `{"id":%d,"user":"user-%d","text":"message number %d","score":%d},`, i, i%97, i, i*31%1000)
	}
	msg := []byte(sb.String()[:8<<10])
	for _, bc := range []struct {
		enc   string
		level int
	}{{"gzip", 0}, {"deflate", 0}, {"gzip", flate.BestSpeed}, {"identity", 0}} {
		enc := bc.enc
		name := enc
		if bc.level != 0 {
			name += "-level" + strconv.Itoa(bc.level)
		}
		b.Run(name, func(b *testing.B) {
			conns := make(chan *engineio.Conn, 1)
			srv, err := engineio.NewServer(engineio.Config{
				Path:                 "/engine.io/",
				PingInterval:         time.Hour,
				HTTPCompressionLevel: bc.level,
				OnConnection:         func(c *engineio.Conn) { conns <- c },
			})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			w := &discardWriter{h: http.Header{}}
			req, err := http.NewRequest("GET", "/engine.io/?EIO=4&transport=polling", nil)
			if err != nil {
				b.Fatal(err)
			}
			srv.ServeHTTP(w, req)
			c := <-conns
			req, err = http.NewRequest("GET", "/engine.io/?EIO=4&transport=polling&sid="+c.ID(), nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Accept-Encoding", enc)
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			out := 0
			for b.Loop() {
				if err := c.Send(engineio.Message{Data: msg}); err != nil {
					b.Fatal(err)
				}
				clear(w.h)
				w.n = 0
				srv.ServeHTTP(w, req)
				if w.h.Get("Content-Encoding") != strings.TrimSuffix(enc, "identity") {
					b.Fatalf("Content-Encoding %q", w.h.Get("Content-Encoding"))
				}
				out = w.n
			}
			b.ReportMetric(float64(out), "wireB/op")
		})
	}
}
