// Command conformance runs the servers that the official protocol test suites
// expect, built on sockspec's engineio and socketio packages.
//
// Without flags it is the reference Socket.IO server of the Socket.IO v5
// protocol document (path /socket.io/, pingInterval 300ms, pingTimeout 200ms,
// maxPayload 1e6, connectTimeout 1s, CORS for any origin; "auth" emitted on
// connect, "message" echoed as "message-back", "message-with-ack" acked with its
// arguments, namespace "/custom"). With -engineio it is the Engine.IO echo
// server of the Engine.IO v4 protocol document (path /engine.io/).
//
//	go run ./e2e/conformance -addr 127.0.0.1:3100
//	go run ./e2e/conformance -addr 127.0.0.1:3100 -engineio
//
// See the README's development section for running the suites against it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3100", "listen address")
	eio := flag.Bool("engineio", false, "run the Engine.IO echo server (path /engine.io/) instead of the Socket.IO server")
	verbose := flag.Bool("v", false, "log protocol debug records")
	flag.Parse()

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if err := run(*addr, *eio, logger); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

// shutdowner is what both servers provide to stop cleanly.
type shutdowner interface {
	http.Handler
	Shutdown(ctx context.Context) error
}

func run(addr string, eio bool, logger *slog.Logger) error {
	var (
		srv  shutdowner
		path string
		err  error
	)
	if eio {
		path = "/engine.io/"
		srv, err = newEngineIOServer(logger)
	} else {
		path = "/socket.io/"
		srv, err = newSocketIOServer(logger)
	}
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(path, srv)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening on http://%s%s\n", ln.Addr(), path)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Ours first: http.Server.Shutdown does not track hijacked WebSockets.
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown", "err", err)
	}
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func engineConfig(path string, logger *slog.Logger) engineio.Config {
	return engineio.Config{
		Path:              path,
		PingInterval:      300 * time.Millisecond,
		PingTimeout:       200 * time.Millisecond,
		MaxHTTPBufferSize: 1e6,
		CORS:              &engineio.CORSConfig{Origins: []string{"*"}},
		Logger:            logger,
	}
}

func newEngineIOServer(logger *slog.Logger) (*engineio.Server, error) {
	cfg := engineConfig("/engine.io/", logger)
	cfg.OnConnection = func(c *engineio.Conn) {
		c.OnMessage(func(data []byte, binary bool) {
			_ = c.Send(engineio.Message{Data: data, Binary: binary})
		})
	}
	return engineio.NewServer(cfg)
}

func newSocketIOServer(logger *slog.Logger) (*socketio.Server, error) {
	srv, err := socketio.NewServer(socketio.Config{
		Engine:         engineConfig("/socket.io/", logger),
		ConnectTimeout: time.Second,
		Logger:         logger,
	})
	if err != nil {
		return nil, err
	}
	emitAuth := func(s *socketio.Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
	}
	main := srv.Of("/")
	main.OnConnection(emitAuth)
	main.On("message", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		return nil, s.Emit(ctx, "message-back", args.Values()...)
	})
	main.On("message-with-ack", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		return args.Values(), nil
	})
	srv.Of("/custom").OnConnection(emitAuth)
	return srv, nil
}
