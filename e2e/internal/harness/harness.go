// Package harness serves a socketio.Server for the cross-language end-to-end
// tests (e2e/core, e2e/python), which drive it with clients in other
// languages and need the same setup and teardown checks.
package harness

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/sockspec/sockspec/socketio"
)

// Logger logs debug records to stderr when E2E_DEBUG is set, and nothing
// otherwise.
func Logger() *slog.Logger {
	if os.Getenv("E2E_DEBUG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Serve serves srv on a loopback port until the test ends and returns its
// URL. At the end it shuts srv down and fails the test if that does not
// complete or leaves an Engine.IO session open.
func Serve(t *testing.T, srv *socketio.Server) string {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
		if n := srv.Engine().Count(); n != 0 {
			t.Errorf("%d Engine.IO sessions still open after shutdown", n)
		}
	})
	return hs.URL
}
