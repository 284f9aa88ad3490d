package sockspec

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/sockspec/sockspec/socketio"
)

// FuzzIncomingEvent feeds arbitrary arguments to a validated typed echo:
// the server never panics, accepts exactly what the full validator accepts
// (fast path included), echoes it, and answers anything else with the
// documented error ack.
func FuzzIncomingEvent(f *testing.F) {
	for _, s := range []string{`{"msg":"hello","seq":1}`, `{"msg":"x","seq":-1}`, `{"msg":1}`, `"str"`, `null`, `{"msg":"\u00e9","seq":1e3}`, `{"msg":"a","seq":1.5}`} {
		f.Add(s, false)
	}
	f.Add(`{"msg":"a","seq":1}`, true)
	var r *route
	f.Fuzz(func(t *testing.T, in string, twoArgs bool) {
		if !json.Valid([]byte(in)) {
			return
		}
		if r == nil {
			r = fuzzRoute(t)
		}
		raws := []json.RawMessage{json.RawMessage(in)}
		if twoArgs {
			raws = append(raws, json.RawMessage(in))
		}
		ack, err := r.serve(context.Background(), nil, socketio.NewArgs(raws, nil))
		if err != nil || len(ack) != 1 {
			t.Fatalf("serve = %v, %v", ack, err)
		}
		var v any
		_ = json.Unmarshal([]byte(in), &v)
		valid := !twoArgs && r.in.schema.Compiled.Validate(v) == nil
		out, _ := json.Marshal(ack[0])
		isErr := bytes.HasPrefix(out, []byte(`{"error":`))
		// a value the schema accepts but the Go type cannot hold (1e3 for an
		// int64) is answered with kind "decode"
		decodeErr := bytes.Contains(out, []byte(`"kind":"decode"`))
		if valid == isErr && !(valid && decodeErr) {
			t.Fatalf("input %s (valid %v) answered %s", in, valid, out)
		}
	})
}

func fuzzRoute(t *testing.T) *route {
	doc := benchDocParsed(t)
	srv, err := New(doc, Config{DisableDocs: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ns := srv.Namespace("/")
	NewEvent[benchMsg, benchMsg]("echo").Handle(ns, func(_ context.Context, _ *socketio.Socket, m benchMsg) (benchMsg, error) { return m, nil })
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return ns.in["echo"]
}
