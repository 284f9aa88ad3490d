package docs

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// CDN locations of the official AsyncAPI React component, pinned to a
// version that renders AsyncAPI 2.x and 3.x documents.
const (
	ReactCDNScript     = "https://unpkg.com/@asyncapi/react-component@3.2.1/browser/standalone/index.js"
	ReactCDNStylesheet = "https://unpkg.com/@asyncapi/react-component@3.2.1/styles/default.min.css"
)

//go:embed assets/page.html.tmpl assets/docs.css assets/docs.js
var assets embed.FS

var pageTemplate = template.Must(template.New("page").ParseFS(assets, "assets/page.html.tmpl"))

// Config configures the docs page. The zero value serves our own page for
// the document as it is, minus internal extensions.
type Config struct {
	// Title replaces info.title in the page heading and <title>.
	// Empty means info.title.
	Title string

	// ReactComponent additionally loads the official AsyncAPI React
	// component (@asyncapi/react-component, standalone bundle) and shows it
	// in place of our page, with a button to switch views. Empty (the
	// default) means our page only, which needs no network. "cdn" loads
	// [ReactCDNScript] from unpkg; any other value is the URL or path of the
	// standalone bundle (browser/standalone/index.js), e.g. one served next
	// to the docs for offline use. When the script cannot load, our page
	// stays.
	ReactComponent string

	// ReactStylesheet is the component's CSS. Empty means
	// [ReactCDNStylesheet] when ReactComponent is "cdn", and none otherwise.
	ReactStylesheet string

	// IncludeInternal serves the document with its internal extensions
	// (see [IsInternal]) and shows handler names on the page. False (the
	// default) strips them from the page, asyncapi.json and asyncapi.yaml.
	IncludeInternal bool
}

// Handler serves the docs of one AsyncAPI document: the HTML page, the
// document as JSON and YAML, and the page's CSS and JavaScript (embedded; the
// page makes no network request unless [Config.ReactComponent] asks for
// one). Paths are relative to where it is mounted, so mount it under
// http.StripPrefix:
//
//	GET /                 the HTML page (also "" and /index.html)
//	GET /asyncapi.json    the document, application/json
//	GET /asyncapi.yaml    the document, application/yaml (also .yml)
//	GET /static/docs.css  assets
//	GET /static/docs.js
//
// Any other path is 404 and any method but GET and HEAD is 405. Everything
// is rendered by [NewHandler]; a Handler is immutable and safe for
// concurrent use.
type Handler struct {
	body     template.HTML
	page     *page
	json     []byte
	yaml     []byte
	css, js  []byte
	reactJS  string
	reactCSS string
	etag     string
}

// NewHandler renders doc, a raw AsyncAPI 2.x or 3.x document as decoded from
// JSON or YAML (map[string]any trees; map[any]any with string keys and typed
// Go slices and maps are accepted too). Local $refs ("#/...") are resolved
// for the page, recursive schemas drawn once with a link back; refs to other
// files are not (pass asyncapi's Document.Bundle, not Document.Raw, for a
// document split over several files). doc is not
// modified and not retained. It returns an error when doc is nil, has no
// 2.x or 3.x "asyncapi" version, or holds values JSON cannot encode.
func NewHandler(doc map[string]any, cfg Config) (*Handler, error) {
	if doc == nil {
		return nil, errors.New("docs: nil document")
	}
	served, err := normalize(doc, "", !cfg.IncludeInternal, false)
	if err != nil {
		return nil, err
	}
	sd := served.(map[string]any)
	h := &Handler{}
	if h.json, err = encodeJSON(sd); err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	if h.yaml, err = encodeYAML(sd); err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	if h.page, err = buildPage(sd, cfg.Title, cfg.IncludeInternal); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&body, "body", h.page); err != nil {
		return nil, fmt.Errorf("docs: render page: %w", err)
	}
	h.body = template.HTML(body.String()) //nolint:gosec // produced by html/template
	if h.css, err = assets.ReadFile("assets/docs.css"); err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	if h.js, err = assets.ReadFile("assets/docs.js"); err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	switch cfg.ReactComponent {
	case "":
	case "cdn":
		h.reactJS, h.reactCSS = ReactCDNScript, ReactCDNStylesheet
	default:
		h.reactJS = cfg.ReactComponent
	}
	if cfg.ReactStylesheet != "" {
		h.reactCSS = cfg.ReactStylesheet
	}
	for _, u := range []string{h.reactJS, h.reactCSS} {
		if u != "" && !safeHref(u) {
			return nil, fmt.Errorf("docs: react component URL %q: only http, https and relative URLs are allowed", u)
		}
	}
	sum := sha256.Sum256(append([]byte(h.body), h.reactJS+"\x00"+h.reactCSS...))
	h.etag = hex.EncodeToString(sum[:8])
	return h, nil
}

type layoutData struct {
	Page              *page
	Body              template.HTML
	Prefix            string
	ReactJS, ReactCSS string
}

// renderPage executes the layout; prefix is prepended to the relative URLs
// of the assets and the documents.
func (h *Handler) renderPage(prefix string) ([]byte, error) {
	var buf bytes.Buffer
	err := pageTemplate.ExecuteTemplate(&buf, "layout", layoutData{
		Page: h.page, Body: h.body, Prefix: prefix, ReactJS: h.reactJS, ReactCSS: h.reactCSS,
	})
	if err != nil {
		return nil, fmt.Errorf("docs: render page: %w", err)
	}
	return buf.Bytes(), nil
}

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	var (
		body  []byte
		ctype string
		etag  string
	)
	switch p := r.URL.Path; p {
	case "", "/", "/index.html":
		prefix := ""
		if p == "" {
			// Mounted at "/x/docs" and asked for "/x/docs" (no slash):
			// relative URLs resolve against "/x/", so name our segment.
			prefix = lastSegment(r) + "/"
		}
		b, err := h.renderPage(prefix)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		body, ctype, etag = b, "text/html; charset=utf-8", h.etag+"-"+shortHash(prefix)
		hdr.Set("Content-Security-Policy", h.csp())
		hdr.Set("Referrer-Policy", "no-referrer")
	case "/asyncapi.json":
		body, ctype = h.json, "application/json"
		hdr.Set("Access-Control-Allow-Origin", "*")
	case "/asyncapi.yaml", "/asyncapi.yml":
		body, ctype = h.yaml, "application/yaml; charset=utf-8"
		hdr.Set("Access-Control-Allow-Origin", "*")
	case "/static/docs.css":
		body, ctype = h.css, "text/css; charset=utf-8"
	case "/static/docs.js":
		body, ctype = h.js, "text/javascript; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	if etag == "" {
		etag = shortHash(string(body))
	}
	hdr.Set("Content-Type", ctype)
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", zeroTime, bytes.NewReader(body))
}

// csp allows only our own assets, plus the React component's origin when
// configured. The page has no inline script or style.
func (h *Handler) csp() string {
	script, style, connect := "'self'", "'self'", "'self'"
	if h.reactJS != "" {
		// The standalone bundle injects styles and compiles schemas at run time.
		script += " 'unsafe-eval'" + originOf(h.reactJS)
		style += " 'unsafe-inline'" + originOf(h.reactCSS)
	}
	return "default-src 'none'; script-src " + script + "; style-src " + style +
		"; img-src 'self' data:; font-src 'self' data:; connect-src " + connect +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
}

func originOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme == "" || pu.Host == "" {
		return ""
	}
	return " " + pu.Scheme + "://" + pu.Host
}

var zeroTime time.Time

func lastSegment(r *http.Request) string {
	p := r.URL.Path
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		p = u.Path
	}
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return "."
	}
	return url.PathEscape(p)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// WriteStatic writes the page that [NewHandler] would serve for doc and cfg
// as static files into dir (created if needed): index.html, asyncapi.json,
// asyncapi.yaml and static/docs.css, static/docs.js. Serve dir with any file
// server, or open index.html from disk. Existing files of those names are
// replaced; nothing else in dir is touched.
func WriteStatic(dir string, doc map[string]any, cfg Config) error {
	h, err := NewHandler(doc, cfg)
	if err != nil {
		return err
	}
	page, err := h.renderPage("")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	for name, b := range map[string][]byte{
		"index.html":      page,
		"asyncapi.json":   h.json,
		"asyncapi.yaml":   h.yaml,
		"static/docs.css": h.css,
		"static/docs.js":  h.js,
	} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), b, 0o644); err != nil {
			return fmt.Errorf("docs: %w", err)
		}
	}
	return nil
}

// MountPath returns where the docs belong for a Socket.IO server at
// socketIOPath: the parent of that path plus "/docs" ("/socket.io" ->
// "/docs", "/api/socket.io/" -> "/api/docs", "" -> "/docs").
func MountPath(socketIOPath string) string {
	p := path.Clean("/" + strings.Trim(socketIOPath, "/"))
	return path.Join(path.Dir(p), "docs")
}
