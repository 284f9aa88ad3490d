package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockspec/sockspec/client"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a running
// mock, with a notification on every write.
type syncBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{wrote: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.wrote <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the output matches re and returns the first submatch.
func (b *syncBuffer) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			if len(m) > 1 {
				return m[1]
			}
			return m[0]
		}
		select {
		case <-b.wrote:
		case <-deadline:
			t.Fatalf("output never matched %s:\n%s", re, b.String())
		}
	}
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func TestMockInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := newSyncBuffer(), newSyncBuffer()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"mock", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--port", "0", "--interval", "10ms", "--seed", "7", "--verbose-events", "--log-level", "error"}, out, errOut)
	}()
	base := out.waitFor(t, listening)
	if !strings.Contains(out.String(), "docs at "+base+"/docs\n") || !strings.Contains(out.String(), "seed 7 ") {
		t.Errorf("banner:\n%s", out.String())
	}
	s, err := client.Dial(t.Context(), base+"/", wsOnly)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := s.EmitWithAck(t.Context(), "add user", "zoe")
	if err != nil || ack.Len() != 1 {
		t.Fatalf("ack: %v", err)
	}
	out.waitFor(t, regexp.MustCompile(`/ receive "add user" \["zoe"\] sid=`))
	out.waitFor(t, regexp.MustCompile(`/ ack "add user" \[\{.*\}\] sid=`))
	out.waitFor(t, regexp.MustCompile(`/ emit "user joined" \[\{.*\}\]`))
	// an invalid event is printed with its error
	if _, err := s.EmitWithAck(t.Context(), "new message", 5); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, regexp.MustCompile(`/ receive "new message" sid=\S+: sockspec: invalid payload`))
	s.Manager().Close()
	if resp, err := http.Get(base + "/docs/asyncapi.json"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("docs: %v", err)
	} else {
		resp.Body.Close()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(out.String(), "\nshutting down\n") || !strings.HasSuffix(out.String(), "\nstopped\n") {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("mock did not stop")
	}
	if errOut.String() != "" {
		t.Errorf("stderr at error level: %s", errOut.String())
	}
}

func TestMockUsageAndStartupErrors(t *testing.T) {
	chat := filepath.Join(corpus, "valid", "chat-2.2.yaml")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no file", []string{"mock"}, 2, ""},
		{"bad log level", []string{"mock", chat, "--log-level", "loud"}, 2, "--log-level"},
		{"bad log format", []string{"mock", chat, "--log-format", "xml"}, 2, "--log-format"},
		{"bad port", []string{"mock", chat, "--port", "70000"}, 2, "--port"},
		{"bad interval", []string{"mock", chat, "--interval", "soon"}, 2, "interval"},
		{"unknown server", []string{"mock", chat, "--server", "nope", "--port", "0"}, 1, `no server "nope"`},
		{"invalid document", []string{"mock", filepath.Join(corpus, "invalid", "dangling-ref-2.6.yaml"), "--port", "0"}, 1, "dangling-ref-2.6.yaml:9:15: error:"},
		{"unsatisfiable schema", []string{"mock", filepath.Join("..", "..", "mock", "testdata", "unsatisfiable-2.6.yaml"), "--port", "0"}, 1, `unsatisfiable-2.6.yaml:34:18: namespace "/" event "word" payload: pattern:`},
		{"missing file", []string{"mock", filepath.Join(t.TempDir(), "nope.yaml")}, 1, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("code %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
		})
	}
}

func TestMockPortInUse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newSyncBuffer()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"mock", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--port", "0"}, out, io.Discard)
	}()
	base := out.waitFor(t, listening)
	port := base[strings.LastIndex(base, ":")+1:]
	code, _, errOut := runCLI(t, "mock", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--port", port)
	if code != 1 || !strings.Contains(errOut, "address already in use") {
		t.Errorf("second mock on %s: %d %s", port, code, errOut)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestDocsCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	code, out, errOut := runCLI(t, "docs", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "-o", dir)
	if code != 0 || !strings.Contains(out, filepath.Join(dir, "index.html")) {
		t.Fatalf("docs: %d %s %s", code, out, errOut)
	}
	for _, f := range []string{"index.html", "asyncapi.json", "asyncapi.yaml", "static/docs.css", "static/docs.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{"Socket.IO chat demo service", "add user", "server metric"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	var doc map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "asyncapi.json"))
	if err := json.Unmarshal(b, &doc); err != nil || doc["asyncapi"] != "2.2.0" {
		t.Errorf("asyncapi.json: %v", err)
	}
	if code, _, _ := runCLI(t, "docs", filepath.Join(corpus, "valid", "chat-2.2.yaml")); code != 2 {
		t.Errorf("without -o: code %d", code)
	}
	if code, _, errOut := runCLI(t, "docs", filepath.Join(corpus, "invalid", "dangling-ref-2.6.yaml"), "-o", t.TempDir()); code != 1 || !strings.Contains(errOut, "dangling-ref-2.6.yaml:9:15") {
		t.Errorf("invalid doc: code %d %s", code, errOut)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	if code, _, _ := runCLI(t, "docs", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "-o", filepath.Join(blocker, "sub")); code != 1 {
		t.Errorf("unwritable dir: code %d", code)
	}
}

// TestDocsSameAsServed checks that the static page is the one the mock serves.
func TestDocsSameAsServed(t *testing.T) {
	dir := t.TempDir()
	chat := filepath.Join(corpus, "valid", "chat-2.2.yaml")
	if code, _, errOut := runCLI(t, "docs", chat, "-o", dir); code != 0 {
		t.Fatal(errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newSyncBuffer()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"mock", chat, "--port", "0", "--interval", "-1s"}, out, io.Discard) }()
	base := out.waitFor(t, listening)
	for _, f := range []string{"index.html", "asyncapi.json", "asyncapi.yaml", "static/docs.js"} {
		resp, err := http.Get(base + "/docs/" + f)
		if err != nil {
			t.Fatal(err)
		}
		served, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		static, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Equal(served, static) {
			t.Errorf("%s differs from the served one", f)
		}
		if f == "index.html" && !bytes.Contains(served, []byte("Socket.IO chat demo service")) {
			t.Errorf("served page: %.200s", served)
		}
	}
	cancel()
	<-done
}

// TestMockBinarySignals runs the built binary and stops it with SIGTERM and
// SIGINT.
func TestMockBinarySignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sockspec")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "mock", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--port", "0", "--interval", "20ms", "--verbose-events")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 100)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			var base string
			for base == "" {
				l, ok := <-lines
				if !ok {
					t.Fatalf("exited early: %s", stderr.String())
				}
				if m := listening.FindStringSubmatch(l); m != nil {
					base = m[1]
				}
			}
			s, err := client.Dial(t.Context(), base+"/", wsOnly)
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan string, 1)
			s.OnAny(func(ctx context.Context, event string, args client.Args) {
				select {
				case got <- event:
				default:
				}
			})
			select {
			case <-got:
			case <-time.After(10 * time.Second):
				t.Fatal("no periodic event")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var tail []string
			for l := range lines {
				tail = append(tail, l)
			}
			s.Manager().Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit: %v\n%s", err, stderr.String())
			}
			if n := len(tail); n < 2 || !slices.Contains(tail, "shutting down") || tail[n-1] != "stopped" {
				t.Errorf("last lines: %q", tail)
			}
		})
	}
}

// wsOnly keeps the Go client on WebSocket: a graceful shutdown right after a
// client closed mid-upgrade can wait for its deadline (reported to the
// engineio owner), which would make these tests slow and flaky.
var wsOnly = client.Config{Transports: []client.Transport{client.WebSocket}}

// A document split over several files is bundled: the page and asyncapi.json are complete
// and self-contained (no reference to a file the reader of the site does not have).
func TestDocsMultiFile(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join("..", "..", "asyncapi", "testdata", "bundle", "asyncapi.yaml")
	if code, _, errOut := runCLI(t, "docs", main, "-o", dir); code != 0 {
		t.Fatalf("docs: %d %s", code, errOut)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if bytes.Contains(page, []byte("unresolved reference")) {
		t.Error("index.html shows an unresolved reference")
	}
	b, _ := os.ReadFile(filepath.Join(dir, "asyncapi.json"))
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, ref := range regexp.MustCompile(`"\$ref":\s*"([^"]*)"`).FindAllSubmatch(b, -1) {
		if !bytes.HasPrefix(ref[1], []byte("#/")) {
			t.Errorf("asyncapi.json keeps the external reference %s", ref[1])
		}
	}
}
