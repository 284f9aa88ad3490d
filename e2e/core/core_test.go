// Package core_test drives sockspec's Socket.IO server with the real
// socket.io-client from npm (e2e/js/core.test.js), over websocket only,
// polling only, and polling upgraded to websocket.
package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/e2e/internal/harness"
	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/internal/testenv"
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
		testenv.Missing(t, fmt.Sprintf("node and e2e/node_modules are required: %v", err))
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

// pollResult is what the "poll-room" handler's broadcast with ack returned,
// for the Go side of the check.
type pollResult struct {
	answers  []any
	timedOut bool
	err      error
}

// polls records every "poll-room" outcome of one server.
type polls struct {
	mu sync.Mutex
	r  []pollResult
}

func (p *polls) add(r pollResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.r = append(p.r, r)
}

func (p *polls) all() []pollResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]pollResult(nil), p.r...)
}

// newServer builds the server that e2e/js/core.test.js expects.
// With recovery, events carry their offset as a last argument (as in Node),
// so the suite runs most tests on a server without it.
func newServer(t *testing.T, recovery bool) *socketio.Server {
	srv, _ := newServerPolls(t, recovery)
	return srv
}

func newServerPolls(t *testing.T, recovery bool) (*socketio.Server, *polls) {
	t.Helper()
	cfg := socketio.Config{
		Logger: harness.Logger(),
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
	// poll-room broadcasts "poll" with an ack to a room (sender included) and
	// answers with what came back: the answers, in arrival order, and
	// whether the deadline cut the wait short.
	pl := &polls{}
	main.On("poll-room", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var room string
		var ms int
		if err := errors.Join(args.Unmarshal(0, &room), args.Unmarshal(1, &ms)); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
		defer cancel()
		acks, err := s.Namespace().To(socketio.Room(room)).EmitWithAck(ctx, "poll", "favourite colour?", []byte{7, 8})
		res := pollResult{answers: make([]any, 0, len(acks)), timedOut: errors.Is(err, context.DeadlineExceeded), err: err}
		for _, a := range acks {
			res.answers = append(res.answers, a.Values())
		}
		pl.add(res)
		out := map[string]any{"answers": res.answers, "timedOut": res.timedOut}
		if err != nil {
			out["error"] = err.Error()
		}
		return []any{out}, nil
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
	return srv, pl
}

func TestSocketIOClient(t *testing.T) {
	node := requireNode(t)
	for _, transport := range []string{"websocket", "polling", "upgrade"} {
		t.Run(transport, func(t *testing.T) {
			srv, pl := newServerPolls(t, false)
			plain := harness.Serve(t, srv)
			recovering := harness.Serve(t, newServer(t, true))

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
			checkPolls(t, pl.all())
		})
	}
}

// checkPolls checks the Go side of the "broadcast with ack" scenario of
// core.test.js: three clients in the room, two answer, one never does, and
// the 500ms deadline ends the wait with both answers.
func checkPolls(t *testing.T, got []pollResult) {
	t.Helper()
	if os.Getenv("E2E_TEST_NAME_PATTERN") != "" && len(got) == 0 {
		return // the scenario was filtered out
	}
	if len(got) != 1 {
		t.Fatalf("poll-room ran %d times, want 1: %+v", len(got), got)
	}
	r := got[0]
	if !r.timedOut || !errors.Is(r.err, context.DeadlineExceeded) {
		t.Errorf("poll-room error = %v, want one wrapping context.DeadlineExceeded", r.err)
	}
	var answers []string
	for _, a := range r.answers {
		vals, _ := a.([]any)
		if len(vals) != 1 {
			t.Fatalf("answer %v: want one argument", a)
		}
		s, _ := vals[0].(string)
		answers = append(answers, s)
	}
	slices.Sort(answers)
	if !slices.Equal(answers, []string{"blue", "green"}) {
		t.Errorf("answers = %q, want blue and green", answers)
	}
}
