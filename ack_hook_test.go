package sockspec_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

// ackClients connects one client per answer, each answering "ask" with its
// own value, all in room "r", and returns their server-side sockets in the
// same order.
func ackClients(t *testing.T, f *fixture, answers ...any) []*socketio.Socket {
	t.Helper()
	sns := f.srv.Namespace("/").SocketIO()
	var socks []*socketio.Socket
	for _, a := range answers {
		c := mustDial(t, f.hs.URL, "/", dialOpts{})
		c.On("ask", func(context.Context, client.Args) []any { return []any{a} })
		s := sns.Socket(socketio.SocketID(c.ID()))
		if s == nil {
			t.Fatalf("socket %s not listed", c.ID())
		}
		s.Join("r")
		socks = append(socks, s)
	}
	return socks
}

func wantAckError(t *testing.T, what string, err error) {
	t.Helper()
	var ve *sockspec.ValidationError
	if !errors.As(err, &ve) || ve.Kind != "ack" || ve.Direction != asyncapi.ClientToServer ||
		ve.InstancePath != "/0" || ve.Namespace != "/" || ve.Event != "ask" {
		t.Fatalf("%s: err %v, want the invalid ack's ValidationError", what, err)
	}
}

// The ack a client returns to an emit made directly on socketio values (not
// through sockspec's EmitWithAck) is validated too, by the OnAck hook
// sockspec installs: for one socket and for each answer of a broadcast.
func TestDirectEmitWithAckAckValidated(t *testing.T) {
	f := newFixture(t, sockspec.Config{})
	socks := ackClients(t, f, 7, "seven")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	a, err := socks[0].EmitWithAck(ctx, "ask", "how many?")
	if err != nil || string(a.Raw(0)) != "7" {
		t.Fatalf("valid ack: %v %v", a, err)
	}
	a, err = socks[1].EmitWithAck(ctx, "ask", "how many?")
	wantAckError(t, "s.EmitWithAck", err)
	if a.Len() != 1 || string(a.Raw(0)) != `"seven"` {
		t.Fatalf("the invalid ack is not returned with its error: %v", a)
	}

	acks, err := f.srv.Namespace("/").SocketIO().To("r").EmitWithAck(ctx, "ask", "how many?")
	if len(acks) != 1 || string(acks[0].Raw(0)) != "7" {
		t.Fatalf("answers %v, want the valid one only", acks)
	}
	wantAckError(t, "To(room).EmitWithAck", err)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v: every recipient answered", err)
	}
}

// Validation.SkipAcks turns the check of clients' acks off, for direct
// socketio emits as for sockspec's.
func TestDirectEmitWithAckSkipAcks(t *testing.T) {
	f := newFixture(t, sockspec.Config{Validation: sockspec.Validation{SkipAcks: true}})
	socks := ackClients(t, f, "seven", "eight")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if a, err := socks[0].EmitWithAck(ctx, "ask", "how many?"); err != nil || string(a.Raw(0)) != `"seven"` {
		t.Fatalf("unchecked ack: %v %v", a, err)
	}
	if a, err := f.srv.EmitWithAck(ctx, socks[0], "ask", "how many?"); err != nil || string(a.Raw(0)) != `"seven"` {
		t.Fatalf("unchecked Server.EmitWithAck ack: %v %v", a, err)
	}
	acks, err := f.srv.Namespace("/").SocketIO().To("r").EmitWithAck(ctx, "ask", "how many?")
	if err != nil || len(acks) != 2 {
		t.Fatalf("unchecked broadcast: %d answers, %v", len(acks), err)
	}
}

// A Config.SocketIO.OnAck of the user's runs after sockspec's, for valid
// acks only, and its error reaches the caller.
func TestUserOnAckRunsAfterValidation(t *testing.T) {
	errUser := errors.New("refused by the user's hook")
	var mu sync.Mutex
	var seen []string
	f := newFixture(t, sockspec.Config{SocketIO: socketio.Config{
		OnAck: func(ns *socketio.Namespace, event string, args socketio.Args) error {
			mu.Lock()
			seen = append(seen, ns.Name()+" "+event+" "+string(args.Raw(0)))
			mu.Unlock()
			if string(args.Raw(0)) == "13" {
				return errUser
			}
			return nil
		},
	}})
	socks := ackClients(t, f, 7, "seven", 13)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := socks[0].EmitWithAck(ctx, "ask", "q"); err != nil {
		t.Fatal(err)
	}
	_, err := socks[1].EmitWithAck(ctx, "ask", "q")
	wantAckError(t, "invalid ack", err)
	if _, err := socks[2].EmitWithAck(ctx, "ask", "q"); !errors.Is(err, errUser) {
		t.Fatalf("err %v, want the user's hook's error", err)
	}
	acks, err := f.srv.BroadcastWithAck(ctx, f.srv.Namespace("/").SocketIO().To("r"), "ask", "q")
	if len(acks) != 1 || string(acks[0].Raw(0)) != "7" {
		t.Fatalf("answers %v, want the one both hooks accept", acks)
	}
	wantAckError(t, "broadcast", err)
	if !errors.Is(err, errUser) {
		t.Fatalf("broadcast err %v, want the user's hook's error joined", err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(seen)
	// The invalid "seven" never reached the user's hook.
	if want := []string{"/ ask 13", "/ ask 13", "/ ask 7", "/ ask 7"}; !slices.Equal(seen, want) {
		t.Fatalf("the user's OnAck saw %q, want %q", seen, want)
	}
}
