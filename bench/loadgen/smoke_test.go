package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if buildDir != "" {
			os.RemoveAll(buildDir)
		}
		os.Exit(code)
	}))
}

// startServer starts cmd, waits for its "listening PORT" line and returns the address and
// pid. The process is killed at the end of the test.
func startServer(t *testing.T, cmd *exec.Cmd) (addr string, pid int) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		if first {
			close(lines)
		}
		cmd.Wait()
		close(exited)
	}()
	select {
	case line, ok := <-lines:
		port, found := strings.CutPrefix(line, "listening ")
		if !ok || !found {
			t.Fatalf("server did not start: first line %q, stderr: %s", line, stderr.String())
		}
		return "127.0.0.1:" + port, cmd.Process.Pid
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not print its port in 30s; stderr: %s", stderr.String())
	}
	return "", 0
}

func nodeServer(t *testing.T) (string, int) {
	t.Helper()
	node, err := exec.LookPath("node")
	mods := filepath.Join("..", "..", "e2e", "node_modules", "socket.io")
	_, modErr := os.Stat(mods)
	if err != nil || modErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node (%v) or e2e/node_modules/socket.io (%v) missing in CI", err, modErr)
		}
		t.Skipf("node or e2e/node_modules missing: %v %v", err, modErr)
	}
	return startServer(t, exec.Command(node, "--expose-gc", filepath.Join("..", "node", "server.js"), "--port", "0"))
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// goServer builds bench/server once per test binary and starts it with args.
func goServer(t *testing.T, args ...string) (string, int) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("..", "server", "main.go")); errors.Is(err, os.ErrNotExist) {
		t.Skip("bench/server not written yet")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "bench-server-")
		if buildErr == nil {
			buildOut, buildErr = exec.Command("go", "build", "-o", filepath.Join(buildDir, "server"), "../server").CombinedOutput()
		}
	})
	if buildErr != nil {
		t.Fatalf("build bench/server: %v\n%s", buildErr, buildOut)
	}
	bin := filepath.Join(buildDir, "server")
	return startServer(t, exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...))
}

func goValidateServer(t *testing.T) (string, int) { return goServer(t, "-validate") }

func plainGoServer(t *testing.T) (string, int) { return goServer(t) }

// TestValidateRejects proves that bench/server -validate does validate: an echo whose payload
// breaks the document's schema gets an error ack instead of its arguments back.
func TestValidateRejects(t *testing.T) {
	addr, _ := goValidateServer(t)
	c, err := dial(t.Context(), dialConfig{Addr: addr, Path: "/socket.io/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.writeText(appendEvent(nil, 7, true, "echo", []byte(`{"msg":5,"seq":1}`))); err != nil {
		t.Fatal(err)
	}
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		p, err := c.nextPacket()
		if err != nil {
			t.Fatal(err)
		}
		id, args, ok := parseAck(p)
		if !ok {
			continue
		}
		if id != 7 || !strings.Contains(string(args), `"invalid_payload"`) {
			t.Fatalf("ack %d %s, want ack 7 with an invalid_payload error", id, args)
		}
		return
	}
}

// TestSmoke runs every scenario, briefly and small, against the Node reference server and our
// server, and checks that each one measured something and saw no error.
func TestSmoke(t *testing.T) {
	servers := []struct {
		name  string
		start func(*testing.T) (string, int)
	}{{"node", nodeServer}, {"go", plainGoServer}, {"go-validate", goValidateServer}}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			addr, pid := srv.start(t)
			o := &options{
				Addr: addr, Path: "/socket.io/", Server: srv.name, PID: pid,
				Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond,
				Window: 4, DialConcurrency: 8, IdleWait: 100 * time.Millisecond,
			}
			ctx := t.Context()
			check := func(t *testing.T, r Result) {
				t.Helper()
				t.Logf("%+v", r)
				if r.Errors != 0 {
					t.Fatalf("%s: %d errors, first: %s", r.Name, r.Errors, r.FirstError)
				}
				if r.Ops <= 0 || r.Rate <= 0 {
					t.Fatalf("%s measured nothing: ops %d rate %f", r.Name, r.Ops, r.Rate)
				}
			}
			t.Run("echo", func(t *testing.T) {
				for _, n := range []int{1, 1, 5} {
					o.BlockingEcho = !o.BlockingEcho // echo:1 both ways
					r := runEcho(ctx, o, n)
					check(t, r)
					if r.P50us <= 0 || r.P99us < r.P50us {
						t.Fatalf("latency quantiles p50 %f p99 %f", r.P50us, r.P99us)
					}
					if r.ServerCPU <= 0 || r.LoadgenCPU <= 0 {
						t.Fatalf("cpu not measured: server %f%% loadgen %f%%", r.ServerCPU, r.LoadgenCPU)
					}
				}
			})
			t.Run("broadcast", func(t *testing.T) {
				r := runBroadcast(ctx, o, 10)
				check(t, r)
				if r.Broadcasts == 0 || r.Lost != 0 {
					t.Fatalf("broadcasts %d lost %d", r.Broadcasts, r.Lost)
				}
			})
			t.Run("idle", func(t *testing.T) {
				r := runIdle(ctx, o, 50)
				check(t, r)
				if r.RSSBaseKB <= 0 || r.RSSAfterKB <= 0 {
					t.Fatalf("rss not read: %d %d", r.RSSBaseKB, r.RSSAfterKB)
				}
			})
			t.Run("connect", func(t *testing.T) {
				check(t, runConnect(ctx, o, 2))
			})
		})
	}
}

// TestFloor runs the echo scenario against bench/floor, the reference that does the least a
// server can do.
func TestFloor(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "floor"), "../floor").CombinedOutput(); err != nil {
		t.Fatalf("build bench/floor: %v\n%s", err, out)
	}
	addr, pid := startServer(t, exec.Command(filepath.Join(dir, "floor"), "-addr", "127.0.0.1:0"))
	o := &options{Addr: addr, Path: "/socket.io/", Server: "floor", PID: pid, Duration: 300 * time.Millisecond,
		Warmup: 50 * time.Millisecond, DialConcurrency: 4, BlockingEcho: true}
	for _, n := range []int{1, 3} {
		r := runEcho(t.Context(), o, n)
		if r.Errors != 0 || r.Ops <= 0 {
			t.Fatalf("echo-%d: ops %d, %d errors, first: %s", n, r.Ops, r.Errors, r.FirstError)
		}
	}
}

// TestRefusedServer checks that a scenario against a server that is not there reports an
// error instead of a number.
func TestRefusedServer(t *testing.T) {
	o := &options{Addr: "127.0.0.1:1", Path: "/socket.io/", Duration: 50 * time.Millisecond, DialConcurrency: 2, Window: 1}
	for _, r := range []Result{runEcho(t.Context(), o, 2), runBroadcast(t.Context(), o, 2), runConnect(t.Context(), o, 1)} {
		if r.Errors == 0 || r.FirstError == "" {
			t.Errorf("%s: no error reported against a closed port: %+v", r.Name, r)
		}
	}
}

func TestRunMainFlags(t *testing.T) {
	for _, args := range [][]string{{}, {"echo"}, {"echo:0"}, {"bogus:3"}, {"-nope", "echo:1"}} {
		code, err := runMain(context.Background(), args, io.Discard, io.Discard)
		if code != 2 || err == nil {
			t.Errorf("runMain(%q) = %d, %v; want 2 and an error", args, code, err)
		}
	}
}

func TestHistQuantiles(t *testing.T) {
	var h hist
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5000 * time.Microsecond}, {0.99, 9900 * time.Microsecond}, {1, 10000 * time.Microsecond}} {
		got := h.quantile(tc.q)
		if d := float64(got-tc.want) / float64(tc.want); d > 0.02 || d < -0.02 {
			t.Errorf("quantile(%v) = %v, want %v within 2%%", tc.q, got, tc.want)
		}
	}
	for v := int64(0); v < 1<<20; v += 997 {
		if got := histValue(histIndex(v)); float64(got-v) > 0.016*float64(v)+1 || float64(v-got) > 0.016*float64(v)+1 {
			t.Fatalf("bucket of %d has midpoint %d", v, got)
		}
	}
}

func TestParseAck(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   uint64
		args string
		ok   bool
	}{
		{`312["a"]`, 12, `["a"]`, true},
		{`30[]`, 0, `[]`, true},
		{`3["a"]`, 0, "", false},
		{`2["echo"]`, 0, "", false},
		{`312`, 0, "", false},
		{`3/nsp,1[]`, 0, "", false},
	} {
		id, args, ok := parseAck([]byte(tc.in))
		if ok != tc.ok || id != tc.id || string(args) != tc.args {
			t.Errorf("parseAck(%q) = %d %q %v", tc.in, id, args, ok)
		}
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 128)
	args := make([]byte, 0, 64)
	var id uint64
	for b.Loop() {
		id++
		args = appendEchoArgs(args[:0], id)
		buf = appendEvent(buf[:0], id, true, "echo", args)
	}
}
