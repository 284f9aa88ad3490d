package engineio_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/sockspec/sockspec/engineio"
)

// ExampleNewServer builds the Engine.IO echo server of the protocol document: path
// /engine.io/, pingInterval 300ms, pingTimeout 200ms, maxPayload 1e6, CORS for any origin.
func ExampleNewServer() {
	srv, err := engineio.NewServer(engineio.Config{
		Path:              "/engine.io/",
		PingInterval:      300 * time.Millisecond,
		PingTimeout:       200 * time.Millisecond,
		MaxHTTPBufferSize: 1e6,
		CORS:              &engineio.CORSConfig{Origins: []string{"*"}},
		OnConnection: func(c *engineio.Conn) {
			c.OnMessage(func(data []byte, binary bool) {
				_ = c.Send(engineio.Message{Data: data, Binary: binary})
			})
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Addr: "127.0.0.1:0", Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.ListenAndServe() }()
	// ... later:
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx) // first ours: http.Server.Shutdown ignores hijacked WebSockets
	_ = hs.Shutdown(ctx)
	// Output:
}
