// Package mock_test runs `sockspec mock` on the chat document of the
// Socket.IO blog post as a separate process and drives it with the official
// socket.io-client (Node, e2e/node_modules). The Node script reports what it
// received; this test validates it against the document's compiled schemas.
package mock_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	chatFile = "../../testdata/asyncapi/valid/chat-2.2.yaml"
	interval = 100 * time.Millisecond
)

// observation is one JSON line of mock.mjs.
type observation struct {
	Kind    string            `json:"kind"`
	Nsp     string            `json:"nsp"`
	Event   string            `json:"event"`
	Args    []json.RawMessage `json:"args"`
	Message string            `json:"message"`
	Data    json.RawMessage   `json:"data"`
	MS      json.RawMessage   `json:"ms"`
}

// lockedBuffer collects a process's output safely while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestMockWithSocketIOClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node not installed")
	}
	if _, err := os.Stat(filepath.Join("..", "node_modules", "socket.io-client")); err != nil {
		testenv.Missing(t, "e2e/node_modules/socket.io-client missing (npm ci in e2e)")
	}
	doc, err := asyncapi.Load(t.Context(), chatFile, asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}

	// build and start `sockspec mock` as its own process, on a free port
	bin := filepath.Join(t.TempDir(), "sockspec")
	build := exec.Command("go", "build", "-o", bin, "github.com/sockspec/sockspec/cmd/sockspec")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	mockCmd := exec.Command(bin, "mock", chatFile, "--host", "127.0.0.1", "--port", "0",
		"--interval", interval.String(), "--seed", "2024", "--verbose-events", "--log-level", "warn")
	stdout, err := mockCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var mockOut, mockErr lockedBuffer
	mockCmd.Stderr = &mockErr
	if err := mockCmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	baseURL := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			mockOut.Write([]byte(line + "\n"))
			if m := re.FindStringSubmatch(line); m != nil {
				baseURL <- m[1]
			}
		}
		exited <- mockCmd.Wait()
	}()
	stopped := false
	defer func() {
		if !stopped {
			_ = mockCmd.Process.Kill()
			<-exited
		}
	}()
	var base string
	select {
	case base = <-baseURL:
	case err := <-exited:
		stopped = true
		t.Fatalf("sockspec mock exited: %v\n%s", err, mockErr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("sockspec mock did not start")
	}

	// drive it with socket.io-client
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	script := exec.CommandContext(ctx, node, "mock.mjs", base, "100")
	out, err := script.CombinedOutput()
	t.Logf("node output:\n%s", out)
	if err != nil || !strings.Contains(string(out), "\nDONE\n") {
		t.Fatalf("scenario failed: %v\nmock stderr:\n%s", err, mockErr.String())
	}

	// validate what the client received with the document's compiled schemas
	root := doc.Namespace("/")
	var acks, refusals, adminEvents int
	seen := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var o observation
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		switch o.Kind {
		case "ack":
			ev := root.Event(asyncapi.ClientToServer, o.Event)
			check(t, "ack of "+o.Event, ev.Ack.Payload, ev.Ack.Arity, o.Args)
			acks++
		case "event":
			ev := doc.Namespace(o.Nsp).Event(asyncapi.ServerToClient, o.Event)
			if ev == nil {
				t.Fatalf("undocumented event %q in %s", o.Event, o.Nsp)
			}
			check(t, o.Nsp+" "+o.Event, ev.Payload, ev.Arity, o.Args)
			seen[o.Event]++
			if o.Nsp == "/admin" {
				adminEvents++
			}
		case "firsts":
			var firsts map[string]float64
			if err := json.Unmarshal(o.MS, &firsts); err != nil {
				t.Fatal(err)
			}
			// the namespace has 6 server→client events, one per interval:
			// each comes within a cycle; allow two cycles and a second of slack
			limit := float64((2*6*interval + time.Second) / time.Millisecond)
			for e, ms := range firsts {
				if ms > limit {
					t.Errorf("%q came after %.0fms (limit %.0fms)", e, ms, limit)
				}
			}
		case "connect_error":
			var data struct {
				Code string `json:"code"`
				Kind string `json:"kind"`
			}
			_ = json.Unmarshal(o.Data, &data)
			if o.Nsp != "/admin" || !strings.Contains(o.Message, "invalid handshake") || data.Code != "invalid_handshake" || data.Kind != "query" {
				t.Errorf("admin refusal: %+v", o)
			}
			refusals++
		}
	}
	if acks != 3 || refusals != 1 || adminEvents != 1 {
		t.Errorf("acks %d, refusals %d, admin events %d", acks, refusals, adminEvents)
	}
	for _, e := range []string{"new message", "typing", "user joined"} {
		if seen[e] == 0 {
			t.Errorf("no %q event", e)
		}
	}

	// the mock printed the client's events and stops cleanly on SIGTERM
	for _, want := range []string{`/ receive "add user" ["alice"]`, `/ ack "add user" [`, `/ receive "new message" ["hello from node"]`, `/ emit "user joined" [`, `/admin connect sid=`} {
		if !strings.Contains(mockOut.String(), want) {
			t.Errorf("mock output lacks %q", want)
		}
	}
	if err := mockCmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("mock exit: %v\n%s", err, mockErr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("mock did not stop on SIGTERM")
	}
	if !strings.HasSuffix(mockOut.String(), "stopped\n") {
		t.Errorf("mock output ends with %q", tail(mockOut.String()))
	}
	if s := mockErr.String(); s != "" {
		t.Errorf("mock logged warnings:\n%s", s)
	}
}

// check validates received arguments against a payload (or ack) schema with
// the arity rule: no schema means no arguments, a tuple one per item.
func check(t *testing.T, what string, s *asyncapi.Schema, arity asyncapi.Arity, args []json.RawMessage) {
	t.Helper()
	if !arity.Accepts(len(args)) {
		t.Errorf("%s: %d arguments, arity %+v", what, len(args), arity)
		return
	}
	if s == nil {
		return
	}
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(a))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		vals[i] = v
	}
	var v any = vals
	if arity.Kind != asyncapi.ArityTuple {
		v = vals[0]
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: %s does not conform: %v", what, args, err)
	}
}

func tail(s string) string {
	if len(s) > 200 {
		return s[len(s)-200:]
	}
	return s
}
