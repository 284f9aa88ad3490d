package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/sockspec/sockspec/client"
)

// These examples need a running Socket.IO server, so they are compiled but not run.

func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := client.Dial(ctx, "http://localhost:8080/", client.Config{
		Auth: map[string]string{"token": "secret"},
	})
	var cerr *client.ConnectError
	if errors.As(err, &cerr) {
		log.Fatalf("refused: %s (%s)", cerr.Message, cerr.Data)
	}
	if err != nil {
		log.Fatal(err)
	}
	defer s.Manager().Close()

	s.On("chat message", func(ctx context.Context, args client.Args) []any {
		var text string
		if err := args.Unmarshal(0, &text); err == nil {
			fmt.Println("received:", text)
		}
		return nil // the ack's arguments, when the server asked for one
	})
	if err := s.Emit(ctx, "chat message", "hello", []byte{0xca, 0xfe}); err != nil {
		log.Fatal(err)
	}
}

func ExampleSocket_EmitWithAck() {
	s, err := client.Dial(context.Background(), "http://localhost:8080/", client.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Manager().Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // the ack timeout
	defer cancel()
	ack, err := s.EmitWithAck(ctx, "sum", 1, 2)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Fatal("no ack within 5s")
	}
	if err != nil {
		log.Fatal(err)
	}
	var sum int
	if err := ack.Unmarshal(0, &sum); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum)
}

func ExampleManager_Socket() {
	m, err := client.NewManager("http://localhost:8080", client.Config{
		Transports: []client.Transport{client.WebSocket}, // no long-polling
	})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	ctx := context.Background()
	main := m.Socket("/", nil)
	admin := m.Socket("/admin", map[string]string{"token": "secret"}) // same connection
	admin.OnDisconnect(func(reason client.DisconnectReason) { fmt.Println("admin:", reason) })
	for _, s := range []*client.Socket{main, admin} {
		if err := s.Connect(ctx); err != nil {
			log.Fatal(err)
		}
	}
}
