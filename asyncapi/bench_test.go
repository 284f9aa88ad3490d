package asyncapi_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockspec/sockspec/asyncapi"
)

// genDoc writes a 3.0 document with n messages (half client→server with
// acks, half server→client) sharing recursive component schemas.
func genDoc(n int) []byte {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\ninfo: {title: bench, version: '1'}\nservers:\n  prod: {host: example.com, pathname: /rt, protocol: wss}\n")
	b.WriteString("channels:\n  main:\n    address: /\n    messages:\n")
	for i := range n {
		fmt.Fprintf(&b, "      m%d: {$ref: '#/components/messages/M%d'}\n", i, i)
	}
	b.WriteString("operations:\n")
	for i := range n {
		action := "receive"
		if i%2 == 1 {
			action = "send"
		}
		fmt.Fprintf(&b, "  op%d:\n    action: %s\n    channel: {$ref: '#/channels/main'}\n    messages: [{$ref: '#/channels/main/messages/m%d'}]\n", i, action, i)
		if action == "receive" {
			fmt.Fprintf(&b, "    reply: {messages: [{$ref: '#/channels/main/messages/m%d'}]}\n", (i+1)%n)
		}
	}
	b.WriteString("components:\n  schemas:\n    Node:\n      type: object\n      properties:\n        id: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n")
	b.WriteString("  messages:\n")
	for i := range n {
		fmt.Fprintf(&b, "    M%d:\n      name: event %d\n      payload:\n        type: object\n        required: [id]\n        properties:\n          id: {type: integer, minimum: 0}\n          text: {type: string, maxLength: 280}\n          tree: {$ref: '#/components/schemas/Node'}\n", i, i)
	}
	return []byte(b.String())
}

func BenchmarkLoad200Messages(b *testing.B) {
	data := genDoc(200)
	ctx := context.Background()
	if doc, err := asyncapi.Parse(ctx, "bench.yaml", data, asyncapi.Config{}); err != nil || len(doc.Namespaces[0].Events) != 200 {
		b.Fatalf("setup: %v", err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := asyncapi.Parse(ctx, "bench.yaml", data, asyncapi.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad200MessagesNoStructural(b *testing.B) {
	data := genDoc(200)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := asyncapi.Parse(ctx, "bench.yaml", data, asyncapi.Config{SkipStructural: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLoad200MessagesUnder100ms measures the CPU time (not wall-clock time,
// which means nothing on a shared, loaded machine) of loading, resolving,
// linting and compiling a 200-message document, and enforces the issue's
// 100 ms budget when SOCKSPEC_PERF=1.
func TestLoad200MessagesUnder100ms(t *testing.T) {
	if raceEnabled {
		t.Skip("timings under -race are not meaningful")
	}
	data := genDoc(200)
	ctx := context.Background()
	if _, err := asyncapi.Parse(ctx, "bench.yaml", data, asyncapi.Config{}); err != nil { // warm the spec schema cache
		t.Fatal(err)
	}
	const n = 10
	start, wall := cpuTime(), time.Now()
	for range n {
		if _, err := asyncapi.Parse(ctx, "bench.yaml", data, asyncapi.Config{}); err != nil {
			t.Fatal(err)
		}
	}
	per := (cpuTime() - start) / n
	t.Logf("200 messages: %v CPU per load (%v wall-clock), %d bytes", per, time.Since(wall)/n, len(data))
	if per > 100*time.Millisecond && os.Getenv("SOCKSPEC_PERF") != "" {
		t.Errorf("%v CPU per load, budget 100ms", per)
	}
}
