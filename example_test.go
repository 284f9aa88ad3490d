package sockspec_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

const greeterDoc = `
asyncapi: 3.0.0
info: {title: Greeter, version: 1.0.0}
channels:
  root:
    address: /
    messages:
      Greet:
        name: greet
        payload: {type: object, properties: {name: {type: string, minLength: 1}}, required: [name]}
      Greeting:
        name: greeting
        payload: {type: string}
operations:
  greet:
    action: receive
    channel: {$ref: "#/channels/root"}
    messages: [{$ref: "#/channels/root/messages/Greet"}]
    reply:
      messages: [{$ref: "#/channels/root/messages/Greeting"}]
`

type Greet struct {
	Name string `json:"name"`
}

var GreetEvent = sockspec.NewEvent[Greet, string]("greet")

func ExampleNew() {
	ctx := context.Background()
	doc, err := asyncapi.Parse(ctx, "greeter.yaml", []byte(greeterDoc), asyncapi.Config{})
	if err != nil {
		panic(err)
	}
	srv, err := sockspec.New(doc, sockspec.Config{})
	if err != nil {
		panic(err)
	}
	GreetEvent.Handle(srv.Namespace("/"), func(ctx context.Context, s *socketio.Socket, g Greet) (string, error) {
		return "hello " + g.Name, nil
	})
	if err := srv.Start(); err != nil {
		panic(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()

	s, err := client.Dial(ctx, hs.URL+"/", client.Config{Transports: []client.Transport{client.WebSocket}})
	if err != nil {
		panic(err)
	}
	defer s.Manager().Close()
	ack, _ := s.EmitWithAck(ctx, "greet", Greet{Name: "Ada"})
	fmt.Println(string(ack.Raw(0)))
	ack, _ = s.EmitWithAck(ctx, "greet", Greet{})
	fmt.Println(string(ack.Raw(0)))
	// Output:
	// "hello Ada"
	// {"error":{"code":"invalid_payload","message":"must be at least 1 character long, got 0","kind":"payload","instancePath":"/0/name","schemaPath":"greeter.yaml#/channels/root/messages/Greet/payload/properties/name/minLength"}}
}

func ExampleServer_Start() {
	doc, err := asyncapi.Parse(context.Background(), "greeter.yaml", []byte(greeterDoc), asyncapi.Config{})
	if err != nil {
		panic(err)
	}
	srv, _ := sockspec.New(doc, sockspec.Config{})
	defer srv.Close()
	srv.Namespace("/").On("shout", func(context.Context, *socketio.Socket, socketio.Args) ([]any, error) { return nil, nil })
	fmt.Println(srv.Start())
	// Output:
	// sockspec: the handlers do not match the document:
	// namespace "/" event "greet" has no handler
	// namespace "/": handler for event "shout", which is not in the document
}

const moveDoc = `
asyncapi: 2.6.0
info: {title: Board, version: 1.0.0}
channels:
  /:
    publish:
      message:
        name: move
        payload:
          type: array
          prefixItems: [{type: integer, minimum: 0}, {type: integer, minimum: 0}]
          items: false
          minItems: 2
        x-ack: {args: {type: string}}
`

// Move is the two arguments of "move": socket.emit("move", x, y).
type Move struct {
	sockspec.Tuple
	X, Y int
}

var MoveEvent = sockspec.NewEvent[Move, string]("move")

// An event with several arguments takes a struct that embeds sockspec.Tuple.
func ExampleTuple() {
	ctx := context.Background()
	doc, err := asyncapi.Parse(ctx, "board.yaml", []byte(moveDoc), asyncapi.Config{})
	if err != nil {
		panic(err)
	}
	srv, _ := sockspec.New(doc, sockspec.Config{})
	MoveEvent.Handle(srv.Namespace("/"), func(ctx context.Context, s *socketio.Socket, m Move) (string, error) {
		return fmt.Sprintf("moved to %d,%d", m.X, m.Y), nil
	})
	if err := srv.Start(); err != nil {
		panic(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	s, err := client.Dial(ctx, hs.URL+"/", client.Config{Transports: []client.Transport{client.WebSocket}})
	if err != nil {
		panic(err)
	}
	defer s.Manager().Close()
	for _, args := range [][]any{{3, 4}, {3}, {3, -1}} {
		ack, _ := s.EmitWithAck(ctx, "move", args...)
		fmt.Println(string(ack.Raw(0)))
	}
	// Output:
	// "moved to 3,4"
	// {"error":{"code":"invalid_payload","message":"expected 2 arguments, got 1","kind":"arity","schemaPath":"board.yaml#/channels/~1/publish/message/payload"}}
	// {"error":{"code":"invalid_payload","message":"must be at least 0, got -1","kind":"payload","instancePath":"/1","schemaPath":"board.yaml#/channels/~1/publish/message/payload/prefixItems/1/minimum"}}
}

const namedDoc = `
asyncapi: 2.6.0
info: {title: Named, version: 1.0.0}
channels:
  /:
    x-handlers:
      connect: app.on_connect
      error: app.on_error
    publish:
      message:
        name: sign up
        x-handler: app.sign_up
        payload: {type: object, properties: {user: {type: string}}, required: [user]}
        x-ack: {args: {type: boolean}}
`

type SignUp struct {
	User string `json:"user"`
}

// Handlers can be bound by the names the document gives them (x-handler,
// x-handlers), as in Asynction.
func ExampleServer_HandleNamed() {
	doc, err := asyncapi.Parse(context.Background(), "named.yaml", []byte(namedDoc), asyncapi.Config{})
	if err != nil {
		panic(err)
	}
	srv, _ := sockspec.New(doc, sockspec.Config{})
	defer srv.Close()
	srv.HandleNamed("app.sign_up", sockspec.Handler[SignUp, bool](func(ctx context.Context, s *socketio.Socket, p SignUp) (bool, error) {
		return p.User != "", nil
	}))
	srv.HandleNamed("app.on_connect", func(ctx context.Context, s *socketio.Socket) {})
	srv.HandleNamed("app.on_error", func(ctx context.Context, s *socketio.Socket, err error) {})
	fmt.Println(srv.Start())
	// Output: <nil>
}
