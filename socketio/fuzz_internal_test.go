package socketio

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
)

// FuzzClientMessages feeds arbitrary Engine.IO messages (split on '\n';
// a leading 'b' marks a binary message) to a connected client of a server
// with handlers that ack, echo, broadcast and join rooms. Nothing may panic,
// and after the connection closes no socket may be left.
func FuzzClientMessages(f *testing.F) {
	seeds := []string{
		"0\n2[\"echo\",1]\n21[\"echo\",{\"a\":[1,2]}]",
		"0/admin,{\"token\":1}\n2/admin,[\"echo\"]\n1/admin,",
		"0\n51-[\"echo\",{\"_placeholder\":true,\"num\":0}]\nb\x01\x02",
		"0\n30[\"ack\"]\n3999[]",
		"0\n2[\"join\",\"r\"]\n2[\"bcast\",\"x\"]\n1",
		"abc", "0\n0", "4{}", "0\n52-[\"echo\"]\n2[]",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		srv, err := newServer(Config{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		ns := srv.Of("/")
		srv.Of("/admin").On("echo", func(ctx context.Context, s *Socket, args Args) ([]any, error) { return args.Values(), nil })
		ns.On("echo", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			for i := range args.Len() {
				var v any
				_ = args.Unmarshal(i, &v)
			}
			return args.Values(), s.Emit(ctx, "echo", args.Values()...)
		})
		ns.On("join", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			var r Room
			_ = args.Unmarshal(0, &r)
			s.Join(r)
			return nil, nil
		})
		ns.On("bcast", func(ctx context.Context, s *Socket, args Args) ([]any, error) {
			return nil, s.Broadcast().Emit(ctx, "b", args.Values()...)
		})
		tr := newPipe()
		tr.out = make(chan outMsg, 1<<16)
		tr.mu.Lock()
		c := srv.newClient(tr)
		tr.c = c
		tr.mu.Unlock()
		for _, m := range bytes.Split(in, []byte("\n")) {
			if len(m) > 0 && m[0] == 'b' {
				c.onMessage(m[1:], true)
			} else {
				c.onMessage(m, false)
			}
		}
		tr.close(ReasonTransportClose)
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if n := ns.Len() + srv.Of("/admin").Len(); n != 0 {
			t.Fatalf("%d sockets left after close", n)
		}
	})
}
