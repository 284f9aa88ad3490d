package wsconn_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/internal/wsconn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echoServer upgrades every request and echoes messages until the peer goes away. The last
// read error of each connection is sent on errs.
func echoServer(t testing.TB, max int64) (url string, errs chan error) {
	errs = make(chan error, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := wsconn.Upgrade(w, r, http.Header{"X-Test": {"1"}}, wsconn.Options{MaxMessageSize: max})
		if err != nil {
			errs <- err
			return
		}
		go func() {
			for {
				data, bin, err := c.ReadMessage()
				if err != nil {
					c.CloseNow()
					errs <- err
					return
				}
				if err := c.WriteFrames([]wsconn.Frame{{Binary: bin, Prefix: []byte("e:"), Data: data}, {Data: []byte("done")}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), errs
}

func dial(t testing.TB, url string) *wsconn.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := wsconn.Dial(ctx, url, wsconn.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func read(t testing.TB, c *wsconn.Conn) (string, bool) {
	t.Helper()
	data, bin, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return string(data), bin
}

func TestEcho(t *testing.T) {
	url, errs := echoServer(t, 0)
	c := dial(t, url)
	big := strings.Repeat("x", 70000)
	for _, tc := range []struct {
		msg string
		bin bool
	}{{"hello", false}, {"\x00\x01", true}, {big, false}, {strings.Repeat("y", 300), true}} {
		if err := c.WriteMessage(tc.bin, []byte(tc.msg)); err != nil {
			t.Fatal(err)
		}
		got, bin := read(t, c)
		if got != "e:"+tc.msg || bin != tc.bin {
			t.Fatalf("got %.20q bin=%v", got, bin)
		}
		if got, _ := read(t, c); got != "done" {
			t.Fatalf("got %q", got)
		}
	}
	c.Close(wsconn.StatusNormal, "bye")
	var ce *wsconn.CloseError
	if err := <-errs; !errors.As(err, &ce) || ce.Code != wsconn.StatusNormal || ce.Reason != "bye" {
		t.Fatalf("server got %v", err)
	}
}

// rawConn writes hand-made (masked) frames to exercise the reader.
func rawDial(t *testing.T, url string) (net.Conn, *wsconn.Conn) {
	// Dial normally, then write raw frames on the net.Conn.
	c := dial(t, url)
	return c.NetConn(), c
}

func frame(fin bool, op ws.OpCode, masked bool, p []byte) []byte {
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	b1 := byte(0)
	if masked {
		b1 = 0x80
	}
	switch {
	case len(p) < 126:
		out = append(out, b1|byte(len(p)))
	case len(p) <= 0xffff:
		out = append(out, b1|126)
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
	default:
		out = append(out, b1|127)
		out = binary.BigEndian.AppendUint64(out, uint64(len(p)))
	}
	if masked {
		m := [4]byte{1, 2, 3, 4}
		out = append(out, m[:]...)
		q := bytes.Clone(p)
		ws.Cipher(q, m, 0)
		out = append(out, q...)
	} else {
		out = append(out, p...)
	}
	return out
}

func TestFragmentsAndPing(t *testing.T) {
	url, _ := echoServer(t, 0)
	nc, c := rawDial(t, url)
	defer c.CloseNow()
	var b []byte
	b = append(b, frame(false, ws.OpText, true, []byte("hel"))...)
	b = append(b, frame(true, ws.OpPing, true, []byte("pi"))...)
	b = append(b, frame(false, ws.OpContinuation, true, []byte("lo "))...)
	b = append(b, frame(true, ws.OpContinuation, true, []byte("world"))...)
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
	// The pong is read (and ignored) by our client reader; the echo follows.
	if got, _ := read(t, c); got != "e:hello world" {
		t.Fatalf("got %q", got)
	}
}

func TestProtocolErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code int
		want error
	}{
		{"unmasked", frame(true, ws.OpText, false, []byte("x")), wsconn.StatusProtocolError, wsconn.ErrProtocol},
		{"continuation first", frame(true, ws.OpContinuation, true, []byte("x")), wsconn.StatusProtocolError, wsconn.ErrProtocol},
		{"reserved opcode", frame(true, 3, true, []byte("x")), wsconn.StatusProtocolError, wsconn.ErrProtocol},
		{"fragmented ping", frame(false, ws.OpPing, true, nil), wsconn.StatusProtocolError, wsconn.ErrProtocol},
		{"bad utf8", frame(true, ws.OpText, true, []byte{0xff, 0xfe}), wsconn.StatusInvalidData, wsconn.ErrProtocol},
		{"too big", frame(true, ws.OpBinary, true, make([]byte, 200)), wsconn.StatusTooBig, wsconn.ErrMessageTooBig},
		{"too big in fragments", append(frame(false, ws.OpBinary, true, make([]byte, 60)), frame(true, ws.OpContinuation, true, make([]byte, 60))...), wsconn.StatusTooBig, wsconn.ErrMessageTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, errs := echoServer(t, 100)
			nc, c := rawDial(t, url)
			defer c.CloseNow()
			if _, err := nc.Write(tt.data); err != nil {
				t.Fatal(err)
			}
			_, _, err := c.ReadMessage()
			var ce *wsconn.CloseError
			if !errors.As(err, &ce) || ce.Code != tt.code {
				t.Fatalf("client got %v, want close %d", err, tt.code)
			}
			if err := <-errs; !errors.Is(err, tt.want) {
				t.Fatalf("server got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestBadHandshake(t *testing.T) {
	url, errs := echoServer(t, 0)
	res, err := http.Get("http" + strings.TrimPrefix(url, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", res.StatusCode)
	}
	if err := <-errs; !errors.Is(err, wsconn.ErrBadHandshake) {
		t.Fatal(err)
	}
}

func TestDialStatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"code":4}`)
	}))
	defer srv.Close()
	_, err := wsconn.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), wsconn.DialOptions{})
	var se *wsconn.StatusError
	if !errors.As(err, &se) || se.Status != 403 || se.Body != `{"code":4}` {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkEchoRoundTrip(b *testing.B) {
	url, _ := echoServer(b, 0)
	c := dial(b, url)
	defer c.Close(wsconn.StatusNormal, "")
	msg := []byte(`42["echo",{"text":"hello world"}]`)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteMessage(false, msg); err != nil {
			b.Fatal(err)
		}
		read(b, c)
		read(b, c)
	}
}

func TestWaitThenRead(t *testing.T) {
	url, _ := echoServer(t, 0)
	c := dial(t, url)
	defer c.CloseNow()
	if err := c.WriteMessage(false, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"e:hi", "done"} {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
		if got, _ := read(t, c); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	c.Close(wsconn.StatusNormal, "")
	if err := c.Wait(); err == nil {
		t.Fatal("Wait after close: want error")
	}
}
