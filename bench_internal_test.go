package sockspec

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

const benchDoc = `
asyncapi: 2.6.0
info: {title: bench, version: 1.0.0}
channels:
  /:
    publish:
      message:
        name: echo
        payload: {$ref: "#/components/schemas/Msg"}
        x-ack: {args: {$ref: "#/components/schemas/Msg"}}
    subscribe:
      message:
        name: news
        payload: {$ref: "#/components/schemas/Msg"}
components:
  schemas:
    Msg:
      type: object
      properties:
        msg: {type: string, maxLength: 1000}
        seq: {type: integer, minimum: 0}
      required: [msg, seq]
`

type benchMsg struct {
	Msg string `json:"msg"`
	Seq int64  `json:"seq"`
}

func benchDocParsed(tb testing.TB) *asyncapi.Document {
	doc, err := asyncapi.Parse(context.Background(), "bench.yaml", []byte(benchDoc), asyncapi.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func benchRoute(b *testing.B, v Validation, typed bool) *route {
	doc := benchDocParsed(b)
	srv, err := New(doc, Config{Validation: v, DisableDocs: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	ns := srv.Namespace("/")
	if typed {
		NewEvent[benchMsg, benchMsg]("echo").Handle(ns, func(_ context.Context, _ *socketio.Socket, m benchMsg) (benchMsg, error) { return m, nil })
	} else {
		ns.On("echo", func(_ context.Context, _ *socketio.Socket, a socketio.Args) ([]any, error) {
			return []any{a.Raw(0)}, nil
		})
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	return ns.in["echo"]
}

func benchServe(b *testing.B, v Validation, typed bool) {
	r := benchRoute(b, v, typed)
	args := socketio.NewArgs([]json.RawMessage{json.RawMessage(`{"msg":"hello, socket.io","seq":12345}`)}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ack, err := r.serve(ctx, nil, args)
		if err != nil || len(ack) != 1 {
			b.Fatal(err, ack)
		}
	}
}

var skipAll = Validation{SkipIncoming: true, SkipOutgoing: true, SkipAcks: true, SkipHandshake: true, SkipAuth: true}

func BenchmarkServeEchoRawValidated(b *testing.B)   { benchServe(b, Validation{}, false) }
func BenchmarkServeEchoRawUnvalidated(b *testing.B) { benchServe(b, skipAll, false) }
func BenchmarkServeEchoTypedValidated(b *testing.B) { benchServe(b, Validation{}, true) }
func BenchmarkServeEchoTypedUnvalidated(b *testing.B) {
	benchServe(b, skipAll, true)
}

func BenchmarkPrepareEmit(b *testing.B) {
	r := benchRoute(b, Validation{}, false)
	n := r.n
	msg := benchMsg{Msg: "hello", Seq: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.prepareEmit("news", []any{msg}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmit measures a validated emit through sockspec (Namespace.Emit, a broadcast to a
// namespace without sockets) and a direct socketio emit checked by the OnEmit hook: the cost
// of validation plus socketio's encoding, without the network.
func BenchmarkEmit(b *testing.B) {
	doc, err := asyncapi.Parse(context.Background(), "bench.yaml", []byte(benchDoc), asyncapi.Config{})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(doc, Config{DisableDocs: true, Strictness: Lenient})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ns := srv.Namespace("/")
	msg := benchMsg{Msg: "hello", Seq: 1}
	b.Run("sockspec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := ns.Emit(ctx, "news", msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := ns.SocketIO().Emit(ctx, "news", msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
