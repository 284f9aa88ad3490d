// Command server is sockspec's benchmark server: the Go counterpart of bench/node/server.js,
// built on package socketio with the same settings as the Node reference (WebSocket transport
// only, default heartbeat) and the same handlers:
//
//	"echo"       acks back its arguments;
//	"join-bcast" joins the room "bench" and acks true;
//	"bcast"      broadcasts its first argument to the room "bench" as event "bcast".
//
// With -validate the handlers are served by sockspec on bench.asyncapi.yaml (embedded), so
// every incoming event, ack and broadcast is validated against the document: the cost of the
// framework on top of socketio.
//
// GET /debug/gc runs the garbage collector and returns memory to the OS (runtime.GC and
// debug.FreeOSMemory), so that the load generator reads RSS after GC; /debug/pprof/ serves
// the profiles. It prints "listening PORT" once it accepts connections.
//
// Usage: server [-addr 127.0.0.1:0] [-validate]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	_ "embed"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

//go:embed bench.asyncapi.yaml
var benchDoc []byte

const room socketio.Room = "bench"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:3001", "listen address (port 0 picks a free port)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn, error")
	validate := flag.Bool("validate", false, "serve through sockspec, validating every event against bench.asyncapi.yaml")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	sioCfg := socketio.Config{
		Engine: engineio.Config{Transports: []string{engineio.TransportWebSocket}},
		Logger: logger,
	}
	var (
		handler  http.Handler
		shutdown func(context.Context) error
	)
	if *validate {
		doc, err := asyncapi.Parse(context.Background(), "bench.asyncapi.yaml", benchDoc, asyncapi.Config{})
		if err != nil {
			return err
		}
		ss, err := sockspec.New(doc, sockspec.Config{SocketIO: sioCfg, DisableDocs: true, Logger: logger})
		if err != nil {
			return err
		}
		ns := ss.Namespace("/")
		register(ns.SocketIO(), ns.On, ns.EmitTo)
		if err := ss.Start(); err != nil {
			return err
		}
		handler, shutdown = ss, ss.Shutdown
	} else {
		srv, err := socketio.NewServer(sioCfg)
		if err != nil {
			return err
		}
		ns := srv.Of("/")
		register(ns, ns.On, func(ctx context.Context, to socketio.Target, event string, args ...any) error {
			return to.(socketio.BroadcastOperator).Emit(ctx, event, args...)
		})
		handler, shutdown = srv, srv.Shutdown
	}

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", handler)
	mux.HandleFunc("/debug/gc", gcHandler)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)

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
	err = errors.Join(shutdown(sctx), hs.Shutdown(sctx))
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // connections that did not say goodbye in time
	}
	return err
}

// emitFunc emits to a broadcast target: socketio's own Emit, or sockspec's validating one.
type emitFunc func(ctx context.Context, to socketio.Target, event string, args ...any) error

// register installs the benchmark handlers with on (socketio's or sockspec's Namespace.On).
func register(ns *socketio.Namespace, on func(event string, h socketio.Handler), emit emitFunc) {
	on("echo", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		ack := make([]any, args.Len())
		for i := range ack {
			v, err := arg(args, i)
			if err != nil {
				return nil, err
			}
			ack[i] = v
		}
		return ack, nil
	})
	on("join-bcast", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		s.Join(room)
		return []any{true}, nil
	})
	on("bcast", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		v, err := arg(args, 0)
		if err != nil {
			return nil, err
		}
		return nil, emit(ctx, ns.To(room), "bcast", v)
	})
}

// arg returns argument i to send on: its JSON text as received when the event has no binary
// attachments (what a Go handler forwarding an argument does; Node parses every packet and
// serialises it again), else the decoded value with its attachments.
func arg(args socketio.Args, i int) (any, error) {
	if !args.Binary() {
		return args.Raw(i), nil
	}
	return args.Value(i)
}

// gcHandler collects garbage, returns freed memory to the OS and reports the heap.
func gcHandler(w http.ResponseWriter, r *http.Request) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"gc": true, "heap_inuse": ms.HeapInuse, "heap_alloc": ms.HeapAlloc, "stack_inuse": ms.StackInuse,
		"sys": ms.Sys, "goroutines": runtime.NumGoroutine(),
	})
}
