// Command loadgen is sockspec's Socket.IO load generator. It speaks Engine.IO v4 and
// Socket.IO v5 over WebSocket itself (a small allocation-free client in wsclient.go) and runs
// the benchmark scenarios against any server that has the bench handlers ("echo",
// "join-bcast", "bcast" and GET /debug/gc; see bench/node/server.js and bench/server).
//
// Usage:
//
//	loadgen [flags] SCENARIO...       run scenarios, one JSON line each on stdout, a table on stderr
//	loadgen report [flags]            turn JSON lines from both servers into results JSON + markdown
//
// Scenarios: echo:N (N connections in a closed echo-with-ack loop), broadcast:N (N receivers in
// a room, flow-controlled broadcasts), idle:N (RSS per idle connection, needs -pid), connect:C
// (C workers opening and closing sockets).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "report" {
		if err := reportMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen report:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
	}
	os.Exit(code)
}

type scenario struct {
	kind string
	n    int
}

func parseScenario(s string) (scenario, error) {
	kind, num, ok := strings.Cut(s, ":")
	if !ok {
		return scenario{}, fmt.Errorf("scenario %q: want KIND:N", s)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return scenario{}, fmt.Errorf("scenario %q: N must be a positive integer", s)
	}
	switch kind {
	case "echo", "broadcast", "idle", "connect":
	default:
		return scenario{}, fmt.Errorf("scenario %q: unknown kind %q (echo, broadcast, idle, connect)", s, kind)
	}
	return scenario{kind, n}, nil
}

// runMain parses flags, runs the scenarios in order and writes their results. The exit code
// is 1 when a scenario reported errors.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:3001", "server host:port")
	fs.StringVar(&o.Path, "path", "/socket.io/", "Engine.IO path")
	fs.StringVar(&o.Server, "server", "server", "server label written into the results (node, go)")
	fs.IntVar(&o.PID, "pid", 0, "server process id (idle scenario reads its VmRSS)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured duration of echo, broadcast and connect")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured warm-up before each measured window")
	fs.IntVar(&o.Window, "window", 8, "broadcast: broadcasts outstanding (not yet delivered to every receiver)")
	fs.IntVar(&o.DialConcurrency, "dial-concurrency", 32, "parallel dials when opening many connections")
	fs.IntVar(&o.DialRate, "dial-rate", 0, "connections per second when opening many (0 = unpaced)")
	fs.DurationVar(&o.IdleWait, "idle-wait", 5*time.Second, "idle: wait after opening before measuring RSS")
	fs.BoolVar(&o.BlockingEcho, "blocking-echo", true, "echo:1 reads with blocking system calls instead of Go's network poller, so that the generator adds less latency to each round trip")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the load generator to this file")
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return 2, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 2, err
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() == 0 {
		return 2, fmt.Errorf("no scenario given (echo:N, broadcast:N, idle:N, connect:C)")
	}
	var scs []scenario
	for _, a := range fs.Args() {
		sc, err := parseScenario(a)
		if err != nil {
			return 2, err
		}
		scs = append(scs, sc)
	}
	code := 0
	enc := json.NewEncoder(stdout)
	for _, sc := range scs {
		if ctx.Err() != nil {
			return 1, ctx.Err()
		}
		r := runScenario(ctx, &o, sc)
		if r.Errors > 0 {
			code = 1
		}
		if err := enc.Encode(r); err != nil {
			return 1, err
		}
		printRow(stderr, r)
	}
	return code, nil
}

func runScenario(ctx context.Context, o *options, sc scenario) Result {
	switch sc.kind {
	case "echo":
		return runEcho(ctx, o, sc.n)
	case "broadcast":
		return runBroadcast(ctx, o, sc.n)
	case "idle":
		return runIdle(ctx, o, sc.n)
	default:
		return runConnect(ctx, o, sc.n)
	}
}

func printRow(w io.Writer, r Result) {
	switch r.Scenario {
	case "idle":
		fmt.Fprintf(w, "%-6s %-16s %10.0f %-14s rss %d -> %d KiB, opened at %.0f/s  errors=%d %s\n",
			r.Server, r.Name, r.BytesPerConn, r.Unit, r.RSSBaseKB, r.RSSAfterKB, r.Rate, r.Errors, r.FirstError)
	case "broadcast":
		fmt.Fprintf(w, "%-6s %-16s %10.0f %-14s %d broadcasts, window %d, lost %d, cpu server %.0f%% loadgen %.0f%%  errors=%d %s\n",
			r.Server, r.Name, r.Rate, r.Unit, r.Broadcasts, r.Window, r.Lost, r.ServerCPU, r.LoadgenCPU, r.Errors, r.FirstError)
	default:
		fmt.Fprintf(w, "%-6s %-16s %10.0f %-14s p50 %.0fµs p99 %.0fµs p99.9 %.0fµs max %.0fµs, cpu server %.0f%% loadgen %.0f%%  errors=%d %s\n",
			r.Server, r.Name, r.Rate, r.Unit, r.P50us, r.P99us, r.P999us, r.MaxUs, r.ServerCPU, r.LoadgenCPU, r.Errors, r.FirstError)
	}
}
