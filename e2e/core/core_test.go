// Package core_test drives sockspec's Socket.IO server with the real
// socket.io-client from npm (e2e/js/core.test.js), over websocket only,
// polling only, and polling upgraded to websocket.
package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// e2eDir is the directory holding package.json and node_modules.
func e2eDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// requireNode returns the node binary, failing in CI and skipping elsewhere
// when node or the npm packages are missing.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(e2eDir(t), "node_modules", "socket.io-client"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node and e2e/node_modules are required (run ./scripts/test.sh): %v", err)
		}
		t.Skipf("node or e2e/node_modules missing: %v", err)
	}
	return node
}

// reasons records why each socket of the main namespace disconnected.
type reasons struct {
	mu sync.Mutex
	m  map[socketio.SocketID]socketio.DisconnectReason
}

func (r *reasons) set(id socketio.SocketID, why socketio.DisconnectReason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[id] = why
}

func (r *reasons) snapshot() map[socketio.SocketID]socketio.DisconnectReason {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[socketio.SocketID]socketio.DisconnectReason, len(r.m))
	for k, v := range r.m {
		out[k] = v
	}
	return out
}

// newServer builds the server that e2e/js/core.test.js expects.
// With recovery, events carry their offset as a last argument (as in Node),
// so the suite runs most tests on a server without it.
func newServer(t *testing.T, recovery bool) *socketio.Server {
	t.Helper()
	cfg := socketio.Config{
		Logger: testLogger(),
		Engine: engineio.Config{
			PingInterval: 300 * time.Millisecond,
			PingTimeout:  200 * time.Millisecond,
		},
	}
	if recovery {
		cfg.Recovery = &socketio.RecoveryConfig{MaxDisconnectionDuration: time.Minute}
	}
	srv, err := socketio.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	why := &reasons{m: map[socketio.SocketID]socketio.DisconnectReason{}}

	main := srv.Of("/")
	main.OnConnection(func(s *socketio.Socket) {
		s.OnDisconnect(func(r socketio.DisconnectReason) { why.set(s.ID(), r) })
	})
	main.On("echo", func(_ context.Context, _ *socketio.Socket, args socketio.Args) ([]any, error) {
		return args.Values(), nil
	})
	main.On("echo-emit", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		return nil, s.Emit(ctx, "echo-back", args.Values()...)
	})
	main.On("ask-client", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var ms int
		if err := args.Unmarshal(0, &ms); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "question", 21)
		if errors.Is(err, context.DeadlineExceeded) {
			return []any{map[string]any{"error": "timeout"}}, nil
		}
		if err != nil {
			return nil, err
		}
		return []any{map[string]any{"answer": ack.Values()}}, nil
	})
	main.On("bin", func(_ context.Context, _ *socketio.Socket, args socketio.Args) ([]any, error) {
		return append(args.Values(), []byte("pong")), nil
	})
	main.On("join", func(_ context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room string
		if err := args.Unmarshal(0, &room); err != nil {
			return nil, err
		}
		s.Join(socketio.Room(room))
		return []any{true}, nil
	})
	main.On("shout", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room, msg string
		if err := errors.Join(args.Unmarshal(0, &room), args.Unmarshal(1, &msg)); err != nil {
			return nil, err
		}
		return []any{true}, s.To(socketio.Room(room)).Emit(ctx, "shout", msg)
	})
	main.On("news-trigger", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room, msg string
		if err := errors.Join(args.Unmarshal(0, &room), args.Unmarshal(1, &msg)); err != nil {
			return nil, err
		}
		return []any{true}, s.Namespace().To(socketio.Room(room)).Emit(ctx, "news", msg)
	})
	main.On("kick-me", func(_ context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		s.Disconnect(false)
		return nil, nil
	})
	main.On("stats", func(_ context.Context, s *socketio.Socket, _ socketio.Args) ([]any, error) {
		return []any{map[string]any{"sockets": s.Namespace().Len(), "reasons": why.snapshot()}}, nil
	})

	custom := srv.Of("/custom")
	custom.Use(func(_ context.Context, h *socketio.Handshake) error {
		var auth struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(h.Auth, &auth); err != nil || auth.Token != "s3cret" {
			return &socketio.ConnectError{Message: "unauthorized", Data: map[string]string{"reason": "bad token"}}
		}
		return nil
	})
	custom.OnConnection(func(s *socketio.Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
	})
	return srv
}

func TestSocketIOClient(t *testing.T) {
	node := requireNode(t)
	for _, transport := range []string{"websocket", "polling", "upgrade"} {
		t.Run(transport, func(t *testing.T) {
			plain := start(t, newServer(t, false))
			recovering := start(t, newServer(t, true))

			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			args := []string{"--test", "--test-reporter=spec"}
			if p := os.Getenv("E2E_TEST_NAME_PATTERN"); p != "" {
				args = append(args, "--test-name-pattern="+p)
			}
			cmd := exec.CommandContext(ctx, node, append(args, filepath.Join("js", "core.test.js"))...)
			cmd.Dir = e2eDir(t)
			cmd.Env = append(os.Environ(), "SIO_URL="+plain, "SIO_RECOVERY_URL="+recovering, "SIO_TRANSPORT="+transport)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("socket.io-client suite failed (%v):\n%s", err, out)
			}
			t.Logf("socket.io-client suite:\n%s", out)
		})
	}
}

// testLogger logs debug records to stderr when E2E_DEBUG is set.
func testLogger() *slog.Logger {
	if os.Getenv("E2E_DEBUG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// start serves srv on a loopback port until the test ends and returns its URL.
func start(t *testing.T, srv *socketio.Server) string {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
		if n := srv.Engine().Count(); n != 0 {
			t.Errorf("%d Engine.IO sessions still open after shutdown", n)
		}
	})
	return hs.URL
}
