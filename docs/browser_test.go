package docs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockspec/sockspec/docs"
)

// browserDeps finds node, chromium and playwright-core. Missing ones skip the
// test locally and fail it in CI (CI=true).
func browserDeps(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test needs %s (CI=true, so this is a failure, not a skip)", what)
		}
		t.Skipf("browser test needs %s", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("chromium at " + chromium)
	}
	pw := os.Getenv("PLAYWRIGHT_CORE")
	if pw == "" {
		pw = filepath.Join("..", "e2e", "node_modules", "playwright-core")
	}
	if _, err := os.Stat(pw); err != nil {
		missing("playwright-core at " + pw + " (npm ci in e2e/)")
	}
	return node
}

func artifactsDir(t *testing.T) string {
	if d := os.Getenv("SOCKSPEC_ARTIFACTS"); d != "" {
		d, err := filepath.Abs(filepath.Join(d, "docs"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func runBrowser(t *testing.T, node, url, shot string, events []string, mode string) {
	t.Helper()
	ev, _ := json.Marshal(events)
	ctx, cancel := context.WithTimeout(t.Context(), 180*time.Second)
	defer cancel()
	args := []string{filepath.Join("testdata", "browser.mjs"), url, shot, string(ev)}
	if mode != "" {
		args = append(args, mode)
	}
	cmd := exec.CommandContext(ctx, node, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser check failed: %v\n%s", err, out.String())
	}
	t.Logf("browser:\n%s", out.String())
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", shot, err)
	}
}

func TestBrowser(t *testing.T) {
	node := browserDeps(t)
	dir := artifactsDir(t)
	for _, tc := range []struct {
		file   string
		events []string
	}{
		{"chat.yaml", chatEvents},
		{"chat3.yaml", chatEvents},
		{"kraken.yaml", krakenEvents},
		{"features.yaml", featureEvents},
	} {
		t.Run(tc.file, func(t *testing.T) {
			h, err := docs.NewHandler(loadYAML(t, tc.file), docs.Config{})
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			mux.Handle("/api/docs", http.StripPrefix("/api/docs", h))
			mux.Handle("/api/docs/", http.StripPrefix("/api/docs", h))
			srv := httptest.NewServer(mux)
			defer srv.Close()
			// "/api/docs" without a trailing slash: the assets must still load.
			shot := filepath.Join(dir, tc.file[:len(tc.file)-len(filepath.Ext(tc.file))]+".png")
			runBrowser(t, node, srv.URL+"/api/docs", shot, tc.events, "")
		})
	}
}

// TestBrowserReact checks the optional official AsyncAPI React component
// with a local copy of its standalone bundle (no CDN): set
// SOCKSPEC_REACT_BUNDLE to an unpacked @asyncapi/react-component package
// directory (npm pack @asyncapi/react-component && tar xzf ...). Without it
// the test is skipped: the component is an option, not part of the default
// page, and CI has no copy of it.
func TestBrowserReact(t *testing.T) {
	pkg := os.Getenv("SOCKSPEC_REACT_BUNDLE")
	if pkg == "" {
		t.Skip("SOCKSPEC_REACT_BUNDLE not set")
	}
	node := browserDeps(t)
	h, err := docs.NewHandler(loadYAML(t, "chat.yaml"), docs.Config{
		ReactComponent:  "/vendor/browser/standalone/index.js",
		ReactStylesheet: "/vendor/styles/default.min.css",
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/docs/", http.StripPrefix("/docs", h))
	mux.Handle("/vendor/", http.StripPrefix("/vendor", http.FileServer(http.Dir(pkg))))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	runBrowser(t, node, srv.URL+"/docs/", filepath.Join(artifactsDir(t), "chat-react.png"), chatEvents, "react")
}
