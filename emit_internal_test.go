package sockspec

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

// Every emit, through sockspec's own paths or directly on socketio values, is validated and
// encoded once, by the OnEmit hook: a user's OnEmit (which runs after sockspec's) sees the
// arguments already encoded. The caller's argument slice is never written.
func TestEmitValidatedOnce(t *testing.T) {
	doc, err := asyncapi.Parse(context.Background(), "bench.yaml", []byte(benchDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var seen [][]any
	srv, err := New(doc, Config{DisableDocs: true, Strictness: Lenient, SocketIO: socketio.Config{
		OnEmit: func(_ *socketio.Namespace, _ string, args []any) ([]any, error) { // runs after sockspec's
			seen = append(seen, args)
			return args, nil
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns := srv.Namespace("/")
	args := make([]any, 1, 4)
	args[0] = benchMsg{Msg: "x", Seq: 1}
	if err := ns.Emit(ctx, "news", args...); err != nil {
		t.Fatal(err)
	}
	if err := srv.Emit(ctx, ns.SocketIO().To("room"), "news", benchMsg{Msg: "y"}); err != nil {
		t.Fatal(err)
	}
	if err := ns.SocketIO().Emit(ctx, "news", args...); err != nil { // direct
		t.Fatal(err)
	}
	if _, ok := args[0].(benchMsg); !ok || args[:2][1] != nil {
		t.Fatalf("the caller's arguments were written: %v", args[:2])
	}
	if len(seen) != 3 {
		t.Fatalf("user hook ran %d times, want 3", len(seen))
	}
	for i, a := range seen {
		if len(a) != 1 {
			t.Fatalf("emit %d: %d args", i, len(a))
		}
		if _, ok := a[0].(json.RawMessage); !ok {
			t.Fatalf("emit %d: the hook got %T, want the argument validated and encoded (json.RawMessage)", i, a[0])
		}
	}
	err = ns.SocketIO().Emit(ctx, "news", json.RawMessage(`{"msg":"x"}`))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Kind != "payload" {
		t.Fatalf("invalid direct emit: %v", err)
	}
	if len(seen) != 3 {
		t.Fatal("the user's OnEmit ran for an invalid emit")
	}
}
