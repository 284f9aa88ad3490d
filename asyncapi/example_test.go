package asyncapi_test

import (
	"context"
	"fmt"

	"github.com/sockspec/sockspec/asyncapi"
)

func ExampleParse() {
	src := `asyncapi: 3.0.0
info: {title: chat, version: "1"}
channels:
  chat:
    address: /
    messages:
      typing: {name: typing}
      move:
        name: move
        payload: {type: array, prefixItems: [{type: integer}, {type: integer}], items: false}
operations:
  clientEvents:
    action: receive
    channel: {$ref: "#/channels/chat"}
`
	doc, err := asyncapi.Parse(context.Background(), "chat.yaml", []byte(src), asyncapi.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range doc.Namespace("/").Events {
		fmt.Printf("%s %q: %s %d..%d\n", e.Direction, e.Name, e.Arity.Kind, e.Arity.Min, e.Arity.Max)
	}
	// Output:
	// clientToServer "typing": none 0..0
	// clientToServer "move": tuple 2..2
}

func ExampleInvalidError() {
	src := "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels:\n  /:\n    publish:\n      message: {$ref: '#/components/messages/Nope'}\n"
	_, err := asyncapi.Parse(context.Background(), "broken.yaml", []byte(src), asyncapi.Config{})
	if inv, ok := err.(*asyncapi.InvalidError); ok {
		for _, f := range inv.Findings {
			fmt.Println(f)
		}
	}
	// Output:
	// broken.yaml:6:23: error: $ref "#/components/messages/Nope" points to nothing: this document has no value at #/components/messages/Nope (#/channels/~1/publish/message/$ref)
}
