// Command chat runs the Socket.IO chat demo on its AsyncAPI document with
// sockspec: the page at http://ADDR/, the API docs at /docs.
//
//	go run ./examples/chat -addr 127.0.0.1:5000 -admin-token admin
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/sockspec/sockspec/examples/chat/chatserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "listen address HOST:PORT")
	token := flag.String("admin-token", "admin", "token required by the /admin namespace")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h, srv, err := chatserver.New(chatserver.Config{AdminToken: *token, Logger: log})
	if err != nil {
		log.Error("start", "err", err)
		os.Exit(1)
	}
	hs := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx) // sockets first: http.Server.Shutdown ignores hijacked WebSockets
		_ = hs.Shutdown(sctx)
	}()
	log.Info("chat listening", "url", "http://"+*addr+"/", "docs", "http://"+*addr+"/docs")
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
}
