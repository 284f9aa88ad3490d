package asyncapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config bounds and customises loading. The zero value is ready to use.
type Config struct {
	// MaxFileSize is the largest file read, in bytes; zero means 8 MiB.
	MaxFileSize int64
	// MaxDepth is the deepest nesting of objects and arrays; zero means 128.
	MaxDepth int
	// MaxNodes is the most values a file may hold after YAML alias expansion; zero means 1,000,000.
	MaxNodes int
	// MaxRefs is the most $ref the loader follows in total; zero means
	// 100,000. A single chain of $ref to $ref is cut after 64 hops.
	MaxRefs int
	// MaxFiles is the most files (the main one included) $ref may pull in; zero means 64.
	MaxFiles int
	// ReadFile reads referenced files; nil means os.ReadFile, limited to MaxFileSize.
	ReadFile func(path string) ([]byte, error)
	// SkipStructural skips validation against the official AsyncAPI JSON Schemas.
	SkipStructural bool
}

func (c Config) withDefaults() Config {
	if c.MaxFileSize <= 0 {
		c.MaxFileSize = 8 << 20
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 128
	}
	if c.MaxNodes <= 0 {
		c.MaxNodes = 1_000_000
	}
	if c.MaxRefs <= 0 {
		c.MaxRefs = 100_000
	}
	if c.MaxFiles <= 0 {
		c.MaxFiles = 64
	}
	if c.ReadFile == nil {
		limit := c.MaxFileSize
		c.ReadFile = func(path string) ([]byte, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return io.ReadAll(io.LimitReader(f, limit+1))
		}
	}
	return c
}

// ErrTooLarge is wrapped by the error [Load] returns for a main file over Config.MaxFileSize.
var ErrTooLarge = errors.New("asyncapi: file too large")

// Load reads, resolves, lints and compiles the AsyncAPI document at path.
//
// The returned *Document is non-nil whenever the file could be read; when the
// document has error findings the error is an [*InvalidError] listing them all
// (the document is then partial and must not be served). I/O errors are
// returned as such. ctx cancels long work between steps.
func Load(ctx context.Context, path string, cfg Config) (*Document, error) {
	cfg = cfg.withDefaults()
	data, err := cfg.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("asyncapi: read %s: %w", path, err)
	}
	return parse(ctx, path, data, cfg)
}

// Parse is [Load] for a document already in memory. name is used in findings
// and as the base for relative $ref to other files.
func Parse(ctx context.Context, name string, data []byte, cfg Config) (*Document, error) {
	return parse(ctx, name, data, cfg.withDefaults())
}

func parse(ctx context.Context, name string, data []byte, cfg Config) (*Document, error) {
	if int64(len(data)) > cfg.MaxFileSize {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, name, cfg.MaxFileSize)
	}
	l := &loader{cfg: cfg, files: map[string]*source{}}
	doc := &Document{File: name, files: l.files, cfg: cfg}
	src, fs := parseSource(name, data, treeLimits{maxDepth: cfg.MaxDepth, maxNodes: cfg.MaxNodes})
	src.url = fileURL(name)
	l.findings = append(l.findings, fs...)
	l.files[src.url] = src
	doc.main = src
	doc.Raw = src.root
	if src.root != nil && !hasErrors(fs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.safeRun(ctx, doc)
	} else if src.root == nil && !hasErrors(fs) {
		l.add(src, "", SeverityError, "not-an-object", "the document is empty", "")
	}
	doc.Findings = sortFindings(l.findings)
	if hasErrors(doc.Findings) {
		return doc, &InvalidError{File: name, Findings: doc.Findings}
	}
	return doc, nil
}

func hasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

func fileURL(name string) string {
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// loader carries the state of one Load.
type loader struct {
	cfg      Config
	files    map[string]*source
	findings []Finding
	refs     int
	doc      *Document
	chanMsgs map[string][]msgRef // channel location -> its messages
	inlined  int                 // $ref inlined for the resolved structural check
}

func (l *loader) add(src *source, ptr string, sev Severity, code, msg, hint string) {
	l.findings = append(l.findings, Finding{Severity: sev, Code: code, Message: msg, Hint: hint,
		File: src.name, Pointer: ptr, Position: src.position(ptr)})
}

// node is a value in a source with its pointer.
type node struct {
	src *source
	ptr string
	v   any
}

func (n node) ok() bool { return n.src != nil && n.v != nil }

func (n node) obj() map[string]any {
	m, _ := n.v.(map[string]any)
	return m
}

func (n node) get(key string) node {
	m := n.obj()
	if m == nil {
		return node{}
	}
	v, ok := m[key]
	if !ok {
		return node{}
	}
	return node{n.src, n.ptr + "/" + escapePtr(key), v}
}

func (n node) idx(i int) node {
	a, _ := n.v.([]any)
	if i < 0 || i >= len(a) {
		return node{}
	}
	return node{n.src, fmt.Sprintf("%s/%d", n.ptr, i), a[i]}
}

func (n node) list() []any {
	a, _ := n.v.([]any)
	return a
}

func (n node) str(key string) string {
	s, _ := n.get(key).v.(string)
	return s
}

// keys returns the object's keys in source order.
func (n node) keys() []string {
	m := n.obj()
	if m == nil {
		return nil
	}
	ks := n.src.keys[n.ptr]
	if len(ks) == len(m) {
		return ks
	}
	// the object came from a merge or alias: fall back to any complete order
	out := make([]string, 0, len(m))
	seen := map[string]bool{}
	for _, k := range ks {
		if _, ok := m[k]; ok && !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	for k := range m {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func (n node) loc() Location {
	return Location{File: n.src.name, Pointer: n.ptr, Position: n.src.position(n.ptr)}
}

func (n node) extensions() map[string]any {
	var ext map[string]any
	for k, v := range n.obj() {
		if strings.HasPrefix(k, "x-") {
			if ext == nil {
				ext = map[string]any{}
			}
			ext[k] = v
		}
	}
	return ext
}

// deref follows $ref chains. A dangling or cyclic chain is reported once and
// yields node{}.
func (l *loader) deref(n node) node {
	seen := 0
	start := n
	for {
		m := n.obj()
		if m == nil {
			return n
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return n
		}
		l.refs++
		seen++
		if l.refs > l.cfg.MaxRefs || seen > 64 {
			l.add(start.src, start.ptr+"/$ref", SeverityError, "ref-limit", "too many $ref to follow (cycle or limit)", "a $ref chain must end at a value that is not itself a $ref")
			return node{}
		}
		t, err := l.resolve(n.src, ref)
		if err != nil {
			l.add(n.src, n.ptr+"/$ref", SeverityError, "dangling-ref", err.Error(), "check the JSON pointer after '#': keys are case-sensitive and '/' in a key is written '~1'")
			return node{}
		}
		n = t
	}
}

// resolve resolves one $ref string relative to src.
func (l *loader) resolve(src *source, ref string) (node, error) {
	file, frag, _ := strings.Cut(ref, "#")
	target := src
	if file != "" {
		u, err := url.Parse(file)
		if err != nil {
			return node{}, fmt.Errorf("$ref %q is not a valid reference: %w", ref, err)
		}
		if u.Scheme != "" && u.Scheme != "file" {
			return node{}, fmt.Errorf("$ref %q: remote references (%s) are not supported; download the file and refer to it by a relative path", ref, u.Scheme)
		}
		base, _ := url.Parse(src.url)
		abs := base.ResolveReference(u)
		abs.Fragment = ""
		key := abs.String()
		t, ok := l.files[key]
		if !ok {
			if len(l.files) >= l.cfg.MaxFiles {
				return node{}, fmt.Errorf("$ref %q: too many referenced files (limit %d)", ref, l.cfg.MaxFiles)
			}
			path := filepath.FromSlash(abs.Path)
			name := path
			if rel, err := filepath.Rel(filepath.Dir(fileDir(src)), path); err == nil && !strings.HasPrefix(src.name, "/") {
				name = filepath.Join(filepath.Dir(src.name), rel)
				name = filepath.Clean(name)
			}
			data, err := l.cfg.ReadFile(path)
			if err == nil && int64(len(data)) > l.cfg.MaxFileSize {
				err = fmt.Errorf("over %d bytes", l.cfg.MaxFileSize)
			}
			if err != nil {
				err = fmt.Errorf("cannot read %s: %w", name, unwrapPathErr(err))
				l.files[key] = &source{name: name, url: key, pos: map[string]Position{}, loadErr: err}
				return node{}, fmt.Errorf("$ref %q: %w", ref, err)
			}
			nt, fs := parseSource(name, data, treeLimits{maxDepth: l.cfg.MaxDepth, maxNodes: l.cfg.MaxNodes})
			nt.url = key
			l.files[key] = nt
			t = nt
			l.findings = append(l.findings, fs...)
		}
		target = t
		if target.loadErr != nil {
			return node{}, fmt.Errorf("$ref %q: %w", ref, target.loadErr)
		}
		if target.root == nil {
			return node{}, fmt.Errorf("$ref %q: the referenced file could not be parsed", ref)
		}
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		ptr = frag
	}
	if ptr != "" && ptr[0] != '/' {
		return node{}, fmt.Errorf("$ref %q: only JSON pointer fragments (#/...) are supported", ref)
	}
	v, ok := lookupPtr(target.root, ptr)
	if !ok {
		// the pointer may cross a $ref (e.g. #/channels/chat/messages/m where
		// channels/chat is itself a $ref): follow references along the way
		if n, ok2 := l.walkRefs(target, ptr); ok2 {
			return n, nil
		}
	}
	if !ok {
		where := "this document"
		if file != "" {
			where = target.name
		}
		return node{}, fmt.Errorf("$ref %q points to nothing: %s has no value at #%s", ref, where, ptr)
	}
	return node{target, ptr, v}, nil
}

func fileDir(s *source) string {
	u, err := url.Parse(s.url)
	if err != nil {
		return s.name
	}
	return filepath.FromSlash(u.Path)
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ResolveRef resolves a $ref string found in file (a Location.File of this
// document, "" for the main file) and returns the value it points to and that
// value's location. Files not yet loaded are loaded with the document's Config.
func (d *Document) ResolveRef(file, ref string) (any, Location, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	src := d.main
	if file != "" && file != d.main.name {
		for _, s := range d.files {
			if s.name == file {
				src = s
				break
			}
		}
	}
	l := &loader{cfg: d.cfg, files: d.files}
	n, err := l.resolve(src, ref)
	if err != nil {
		return nil, Location{}, err
	}
	return n.v, n.loc(), nil
}

// Position returns the line and column of a JSON pointer in a file of the
// document ("" for the main file), or of its nearest ancestor that has one.
func (d *Document) Position(file, pointer string) Position {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.files {
		if (file == "" && s == d.main) || s.name == file {
			return s.position(pointer)
		}
	}
	return Position{}
}

// walkRefs looks ptr up in src, following $ref met on the way (bounded).
func (l *loader) walkRefs(src *source, ptr string) (node, bool) {
	cur := node{src, "", src.root}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapePtr(tok)
		for hops := 0; ; hops++ {
			m := cur.obj()
			if m == nil {
				break
			}
			if _, has := m[tok]; has {
				break
			}
			ref, isRef := m["$ref"].(string)
			if !isRef || hops > 16 {
				break
			}
			l.refs++
			if l.refs > l.cfg.MaxRefs {
				return node{}, false
			}
			t, err := l.resolve(cur.src, ref)
			if err != nil {
				return node{}, false
			}
			cur = t
		}
		var next node
		switch cur.v.(type) {
		case map[string]any:
			next = cur.get(tok)
		case []any:
			if i, err := strconv.Atoi(tok); err == nil {
				next = cur.idx(i)
			}
		}
		if next.src == nil {
			return node{}, false
		}
		cur = next
	}
	return cur, true
}

// safeRun runs the linter and model builder; a panic (a bug) becomes an
// error finding instead of crashing the caller.
func (l *loader) safeRun(ctx context.Context, doc *Document) {
	defer func() {
		if r := recover(); r != nil {
			l.add(doc.main, "", SeverityError, "internal-error",
				fmt.Sprintf("sockspec failed while reading this document (please report it): %v", r), "")
		}
	}()
	l.run(ctx, doc)
}
