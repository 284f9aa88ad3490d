package client_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/internal/testenv"
)

// ref describes the Node reference server started by TestMain (testdata/refserver.js).
var ref struct {
	Port         int    `json:"port"`
	RecoveryPort int    `json:"recoveryPort"`
	noNode       bool   // node is not installed: reference tests skip
	err          error  // node is installed but the server did not start: reference tests fail
	stderr       string // unused, kept for diagnostics
}

type refMain struct{ m *testing.M }

func (r refMain) Run() int {
	stop := startRef()
	defer stop()
	return r.m.Run()
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(refMain{m}) }

func startRef() (stop func()) {
	node, err := exec.LookPath("node")
	if err != nil {
		ref.noNode = true
		return func() {}
	}
	cmd := exec.Command(node, "testdata/refserver.js")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		ref.err = err
		return func() {}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		ref.err = err
		return func() {}
	}
	if err := cmd.Start(); err != nil {
		ref.err = err
		return func() {}
	}
	stop = func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	line := make(chan error, 1)
	go func() {
		l, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil {
			err = json.Unmarshal([]byte(l), &ref)
		}
		line <- err
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case err = <-line:
	case <-time.After(20 * time.Second):
		err = fmt.Errorf("reference server did not print its ports")
	}
	if err != nil {
		ref.err = fmt.Errorf("start reference server: %w", err)
	}
	return stop
}

// needRef skips when node is missing and fails when the reference server did not start.
func needRef(t *testing.T) {
	t.Helper()
	if ref.noNode {
		testenv.Missing(t, "node is not installed")
	}
	if ref.err != nil {
		t.Fatal(ref.err)
	}
}

// modes are the three ways to connect: websocket only, polling only, polling then upgrade.
var modes = []struct {
	name string
	trs  []client.Transport
}{
	{"websocket", []client.Transport{client.WebSocket}},
	{"polling", []client.Transport{client.Polling}},
	{"upgrade", nil},
}

// forEachTransport runs fn over each mode against the reference server.
func forEachTransport(t *testing.T, fn func(t *testing.T, trs []client.Transport)) {
	needRef(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			fn(t, m.trs)
		})
	}
}

func refURL(port int, nsp string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, nsp) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial connects to the reference server and, in upgrade mode, waits for the upgrade so that
// the test runs over the upgraded connection.
func dial(t *testing.T, port int, nsp string, cfg client.Config, setup func(s *client.Socket)) *client.Socket {
	t.Helper()
	ctx := testCtx(t)
	m, err := client.NewManager(refURL(port, ""), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	s := m.Socket(nsp, cfg.Auth)
	if setup != nil {
		setup(s)
	}
	if err := s.Connect(ctx); err != nil {
		t.Fatalf("connect %s: %v", nsp, err)
	}
	if cfg.Transports == nil {
		if err := client.WaitUpgraded(ctx, m); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
	}
	return s
}

// recv waits for a value on ch.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("timed out waiting")
	}
	var zero T
	return zero
}
