package mock_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/mock"
)

// ExampleNew mocks the chat API of the Socket.IO blog post and talks to it
// with the Go client: "add user" gets a fake ack that conforms to the
// document, and the mock emits the events clients listen to.
func ExampleNew() {
	ctx := context.Background()
	doc, err := asyncapi.Load(ctx, "../testdata/asyncapi/valid/chat-2.2.yaml", asyncapi.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := mock.New(doc, mock.Config{Seed: 42, Interval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err) // unsatisfiable schemas, with file:line:col
		return
	}
	hs := httptest.NewServer(m)
	defer hs.Close()
	defer m.Shutdown(ctx) // before the HTTP server: WebSockets are hijacked

	events := make(chan string, 1)
	mgr, err := client.NewManager(hs.URL, client.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mgr.Close()
	s := mgr.Socket("/", nil)
	s.OnAny(func(ctx context.Context, event string, args client.Args) {
		select {
		case events <- event:
		default:
		}
	})
	if err := s.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	ack, err := s.EmitWithAck(ctx, "add user", "alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := ack.Value(0)
	schema := doc.Namespace("/").Event(asyncapi.ClientToServer, "add user").Ack.Payload
	fmt.Println("ack conforms:", schema.Validate(v) == nil)
	fmt.Println("first event:", <-events)
	// Output:
	// ack conforms: true
	// first event: new message
}
