package engineio_test

import (
	"context"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/internal/wsconn"
)

// BenchmarkWebSocketEcho measures one message round trip through the server over WebSocket.
func BenchmarkWebSocketEcho(b *testing.B) {
	e := newBenchEnv(b)
	ws, err := wsconn.Dial(context.Background(), e.wsURL("EIO=4&transport=websocket"), wsconn.DialOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.CloseNow()
	if _, _, err := ws.ReadMessage(); err != nil {
		b.Fatal(err)
	}
	msg := []byte(`42["echo",{"text":"hello world","n":12345}]`)
	b.ReportAllocs()
	for b.Loop() {
		if err := ws.WriteMessage(false, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ws.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleWebSocketConns reports the server-side heap and stack growth per idle WebSocket
// session (the client side is measured in the same process and subtracted approximately by
// also counting one client conn; see the metric names).
func BenchmarkIdleWebSocketConns(b *testing.B) {
	const n = 1000
	for b.Loop() {
		e := newBenchEnv(b)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		conns := make([]*wsconn.Conn, 0, n)
		for range n {
			ws, err := wsconn.Dial(context.Background(), e.wsURL("EIO=4&transport=websocket"), wsconn.DialOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := ws.ReadMessage(); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, ws)
		}
		for e.srv.Count() < n {
			time.Sleep(time.Millisecond)
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc-before.HeapAlloc) / n
		stack := float64(after.StackInuse-before.StackInuse) / n
		b.ReportMetric(heap, "heapB/conn-pair")
		b.ReportMetric(stack, "stackB/conn-pair")
		for _, c := range conns {
			_ = c.CloseNow()
		}
		_ = e.srv.Close()
		e.hs.Close()
	}
}

type benchEnv struct {
	*env
}

func newBenchEnv(b *testing.B) benchEnv {
	e := &env{conns: make(chan *engineio.Conn, 1), closed: make(chan closeEvent, 1)}
	srv, err := engineio.NewServer(engineio.Config{
		Path: "/engine.io/",
		OnConnection: func(c *engineio.Conn) {
			c.OnMessage(func(data []byte, binary bool) {
				_ = c.Send(engineio.Message{Data: data, Binary: binary})
			})
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	e.srv = srv
	e.hs = httptest.NewServer(srv)
	e.url = e.hs.URL + "/engine.io/"
	b.Cleanup(func() {
		_ = srv.Close()
		e.hs.Close()
	})
	return benchEnv{e}
}
