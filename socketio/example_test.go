package socketio_test

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/sockspec/sockspec/socketio"
)

// The reference server of the Socket.IO v5 protocol document.
func ExampleNewServer() {
	srv, err := socketio.NewServer(socketio.Config{ConnectTimeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
		s.On("message", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
			return nil, s.Emit(ctx, "message-back", args.Values()...)
		})
		s.On("message-with-ack", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
			return args.Values(), nil // the return value is the ack
		})
	})
	srv.Of("/custom").OnConnection(func(s *socketio.Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
	})
	http.Handle("/socket.io/", srv)
}

type userKey struct{}

// Authentication in a middleware, rooms and broadcasts.
func Example_chat() {
	srv, err := socketio.NewServer(socketio.Config{Recovery: &socketio.RecoveryConfig{}})
	if err != nil {
		log.Fatal(err)
	}
	chat := srv.Of("/chat")
	chat.Use(func(ctx context.Context, h *socketio.Handshake) error {
		if h.Header.Get("Authorization") == "" {
			return &socketio.ConnectError{Message: "unauthorized", Data: map[string]string{"code": "no_token"}}
		}
		h.Set(userKey{}, "alice")
		return nil
	})
	chat.OnConnection(func(s *socketio.Socket) {
		s.Join("lobby")
		s.OnDisconnect(func(reason socketio.DisconnectReason) {
			log.Printf("%s left: %s", s.Value(userKey{}), reason)
		})
	})
	chat.On("say", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		var text string
		if err := args.Unmarshal(0, &text); err != nil {
			return nil, err // an error ack when the client asked for one
		}
		// Everyone in the lobby but the sender; encoded once.
		return []any{"ok"}, s.To("lobby").Emit(ctx, "said", s.Value(userKey{}), text)
	})
	chat.On("ping-me", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ack, err := s.EmitWithAck(ctx, "ping")
		if errors.Is(err, context.DeadlineExceeded) {
			return []any{"no answer"}, nil
		}
		return []any{ack.Len()}, err
	})
	http.Handle("/socket.io/", srv)
}

func ExampleServer_Shutdown() {
	srv, err := socketio.NewServer(socketio.Config{})
	if err != nil {
		log.Fatal(err)
	}
	hs := &http.Server{Addr: "127.0.0.1:0", Handler: srv}
	// ... later: our Shutdown first (WebSockets are hijacked, so the
	// http.Server does not see them), then the http.Server's.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	_ = hs.Shutdown(ctx)
}
