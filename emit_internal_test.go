package sockspec

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

// Every emit is validated exactly once: sockspec's own emit paths validate and mark their
// arguments, which the OnEmit hook then skips; direct socketio emits arrive unmarked and are
// validated by the hook. The caller's argument slice is never written.
func TestEmitValidatedOnce(t *testing.T) {
	doc, err := asyncapi.Parse(context.Background(), "bench.yaml", []byte(benchDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var marks []bool
	srv, err := New(doc, Config{DisableDocs: true, Strictness: Lenient, SocketIO: socketio.Config{
		OnEmit: func(_ *socketio.Namespace, _ string, args []any) error { // runs after sockspec's
			marks = append(marks, checked(args))
			return nil
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
	valid := json.RawMessage(`{"msg":"x","seq":1}`)
	args := make([]any, 1, 4) // spare capacity that is the caller's, not ours
	args[0] = valid
	if err := ns.Emit(ctx, "news", args...); err != nil {
		t.Fatal(err)
	}
	if err := srv.Emit(ctx, ns.SocketIO().To("room"), "news", benchMsg{Msg: "y"}); err != nil {
		t.Fatal(err)
	}
	if err := ns.SocketIO().Emit(ctx, "news", args...); err != nil { // direct: validated by the hook
		t.Fatal(err)
	}
	if args[:2][1] != nil {
		t.Fatalf("the caller's spare capacity was written: %v", args[:2][1])
	}
	if want := []bool{true, true, false}; len(marks) != 3 || marks[0] != want[0] || marks[1] != want[1] || marks[2] != want[2] {
		t.Fatalf("marks %v, want %v", marks, want)
	}
	err = ns.SocketIO().Emit(ctx, "news", json.RawMessage(`{"msg":"x"}`))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Kind != "payload" {
		t.Fatalf("invalid direct emit: %v", err)
	}
	if len(marks) != 3 {
		t.Fatal("the user's OnEmit ran for an invalid emit")
	}
	if checked([]any{checkedMark}[:0]) != true || checked(make([]any, 0, 1)) || checked(nil) {
		t.Fatal("checked")
	}
}
