package docs_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/sockspec/sockspec/docs"
)

func ExampleNewHandler() {
	doc := map[string]any{
		"asyncapi": "2.6.0",
		"info":     map[string]any{"title": "Chat", "version": "1.0.0"},
		"channels": map[string]any{
			"/": map[string]any{
				"publish": map[string]any{"message": map[string]any{
					"name":      "new message",
					"payload":   map[string]any{"type": "string"},
					"x-handler": "chat.onNewMessage", // internal: not served
				}},
			},
		},
	}
	h, err := docs.NewHandler(doc, docs.Config{})
	if err != nil {
		panic(err)
	}
	base := docs.MountPath("/socket.io") // "/docs"
	mux := http.NewServeMux()
	mux.Handle(base, http.StripPrefix(base, h))
	mux.Handle(base+"/", http.StripPrefix(base, h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/docs/asyncapi.json")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Print(string(b))
	// Output:
	// application/json
	// {
	//   "asyncapi": "2.6.0",
	//   "info": {
	//     "title": "Chat",
	//     "version": "1.0.0"
	//   },
	//   "channels": {
	//     "/": {
	//       "publish": {
	//         "message": {
	//           "name": "new message",
	//           "payload": {
	//             "type": "string"
	//           }
	//         }
	//       }
	//     }
	//   }
	// }
}

func ExampleMountPath() {
	fmt.Println(docs.MountPath("/socket.io"))
	fmt.Println(docs.MountPath("/api/socket.io/"))
	// Output:
	// /docs
	// /api/docs
}
