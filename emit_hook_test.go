package sockspec_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

const emitDoc = `
asyncapi: 2.6.0
info: {title: emits, version: 1.0.0}
channels:
  /:
    publish:
      message:
        name: do
        payload: {type: string}
        x-ack: {args: {type: string}}
    subscribe:
      message:
        name: notice
        payload:
          type: object
          properties: {msg: {type: string}}
          required: [msg]
`

// Emits made directly on socketio values inside a handler are validated too: an invalid one
// returns a *ValidationError and sends nothing.
func TestDirectEmitsValidated(t *testing.T) {
	doc, err := asyncapi.Parse(context.Background(), "emits.yaml", []byte(emitDoc), asyncapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sockspec.New(doc, sockspec.Config{DisableDocs: true})
	if err != nil {
		t.Fatal(err)
	}
	root := srv.Namespace("/")
	bad := map[string]any{"msg": 1}
	root.On("do", func(ctx context.Context, s *socketio.Socket, a socketio.Args) ([]any, error) {
		var what string
		if err := a.Unmarshal(0, &what); err != nil {
			return nil, err
		}
		var err error
		switch what {
		case "socket":
			err = s.Emit(ctx, "notice", bad)
		case "volatile":
			err = s.Volatile().Emit(ctx, "notice", bad)
		case "broadcast":
			err = s.Broadcast().Emit(ctx, "notice", bad)
		case "room":
			err = root.SocketIO().To("r").Emit(ctx, "notice", bad)
		case "namespace":
			err = root.SocketIO().Emit(ctx, "notice", bad)
		case "undocumented":
			err = s.Emit(ctx, "secret", "x")
		case "arity":
			err = s.Emit(ctx, "notice")
		case "ack":
			_, err = s.EmitWithAck(ctx, "notice", bad)
		case "good":
			err = s.Emit(ctx, "notice", map[string]any{"msg": "ok"})
		}
		var ve *sockspec.ValidationError
		switch {
		case err == nil:
			return []any{"sent"}, nil
		case errors.As(err, &ve):
			return []any{ve.Kind + " " + ve.InstancePath}, nil
		}
		return []any{"other error: " + err.Error()}, nil
	})
	hs := serve(t, srv)
	c := mustDial(t, hs.URL, "/", dialOpts{})
	got := make(chan string, 16)
	c.OnAny(func(_ context.Context, event string, args client.Args) {
		var raw []string
		for i := range args.Len() {
			raw = append(raw, string(args.Raw(i)))
		}
		got <- event + " " + strings.Join(raw, ",")
	})
	s2 := mustDial(t, hs.URL, "/", dialOpts{}) // a broadcast recipient
	got2 := make(chan string, 16)
	s2.OnAny(func(_ context.Context, event string, _ client.Args) { got2 <- event })

	for what, want := range map[string]string{
		"socket": "payload /0/msg", "volatile": "payload /0/msg", "broadcast": "payload /0/msg",
		"room": "payload /0/msg", "namespace": "payload /0/msg", "undocumented": "unknown_event ",
		"arity": "arity ", "ack": "payload /0/msg",
	} {
		a := ack(t, c, "do", what)
		var res string
		if err := a.Unmarshal(0, &res); err != nil || res != want {
			t.Errorf("%s: handler saw %q (%v), want %q", what, res, err, want)
		}
	}
	if a := ack(t, c, "do", "good"); string(a.Raw(0)) != `"sent"` {
		t.Fatalf("good emit: %s", a.Raw(0))
	}
	select {
	case g := <-got:
		if g != `notice {"msg":"ok"}` {
			t.Errorf("received %q first: an invalid emit was sent", g)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the valid emit did not arrive")
	}
	select {
	case g := <-got2:
		t.Errorf("the other client received %q", g)
	default:
	}
}
