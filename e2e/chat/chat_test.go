// Package chat_test drives examples/chat with the official socket.io-client
// (Node) in e2e/node_modules: the server runs in-process.
package chat_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec/examples/chat/chatserver"
	"github.com/sockspec/sockspec/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestChatWithSocketIOClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node not installed")
	}
	if _, err := os.Stat(filepath.Join("..", "node_modules", "socket.io-client")); err != nil {
		testenv.Missing(t, "e2e/node_modules/socket.io-client missing (npm ci in e2e)")
	}
	h, srv, err := chatserver.New(chatserver.Config{AdminToken: "s3cret", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	defer hs.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "chat.mjs", hs.URL, "s3cret")
	out, err := cmd.CombinedOutput()
	t.Logf("node output:\n%s", out)
	if err != nil || !strings.Contains(string(out), "\nPASS\n") {
		t.Fatalf("scenario failed: %v", err)
	}
}

// TestChatPageInChromium drives the example's browser page (its own minimal
// WebSocket client) in headless Chromium. The screenshot is kept in
// $SOCKSPEC_ARTIFACTS (or the test's temporary directory).
func TestChatPageInChromium(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node not installed")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		testenv.Missing(t, "chromium not installed")
	}
	if _, err := os.Stat(filepath.Join("..", "node_modules", "playwright-core")); err != nil {
		testenv.Missing(t, "e2e/node_modules/playwright-core missing")
	}
	h, srv, err := chatserver.New(chatserver.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	defer hs.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	dir := os.Getenv("SOCKSPEC_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "chat-page.png")
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "browser.mjs", hs.URL+"/", shot).CombinedOutput()
	t.Logf("node output:\n%s", out)
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("browser scenario failed: %v", err)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot: %v", err)
	}
}
