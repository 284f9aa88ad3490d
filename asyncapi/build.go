package asyncapi

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sockspec/sockspec/asyncapi/internal/specs"
)

// run lints the parsed main file and builds the model.
func (l *loader) run(ctx context.Context, doc *Document) {
	l.doc = doc
	main := doc.main
	root := node{main, "", main.root}
	if root.obj() == nil {
		l.add(main, "", SeverityError, "not-an-object", "an AsyncAPI document must be an object (a YAML mapping or a JSON object)", "")
		return
	}
	ver, ok := root.get("asyncapi").v.(string)
	if !ok {
		if root.get("asyncapi").src == nil {
			l.add(main, "", SeverityError, "missing-version", `the document has no "asyncapi" field, so it is not an AsyncAPI document`, `start the document with asyncapi: 3.0.0 (or the 2.x version it follows)`)
		} else {
			l.add(main, "/asyncapi", SeverityError, "unsupported-version", `"asyncapi" must be a version string such as "3.0.0"`, `quote it: asyncapi: "2.6.0"`)
		}
		return
	}
	if !slices.Contains(specs.Versions, ver) {
		l.add(main, "/asyncapi", SeverityError, "unsupported-version",
			fmt.Sprintf("AsyncAPI version %q is not supported: sockspec reads 2.0.0 to 2.6.0 and 3.0.0 to 3.1.0", ver), "")
		return
	}
	doc.Version = ver
	if !l.cfg.SkipStructural {
		l.structural(ver)
	}
	if ctx.Err() != nil {
		return
	}
	l.checkRefs(root)
	l.checkTags(root)
	info := l.deref(root.get("info"))
	doc.Info = Info{Title: info.str("title"), Version: info.str("version"), Description: info.str("description")}
	doc.DefaultContentType = root.str("defaultContentType")
	sc := newSchemaCompiler(l)
	comps := l.deref(root.get("components"))
	for _, k := range comps.get("securitySchemes").keys() {
		if s := l.scheme(k, l.deref(comps.get("securitySchemes").get(k))); s != nil {
			doc.SecuritySchemes = append(doc.SecuritySchemes, s)
		}
	}
	for _, k := range comps.get("schemas").keys() {
		n := comps.get("schemas").get(k)
		if l.deref(n).src == nil {
			continue
		}
		if s := sc.compile(n, "", fmt.Sprintf("schema %q", k)); s != nil {
			l.checkSchemaExamples(n, s)
		}
	}
	if ver[0] == '2' {
		l.build2(root, sc)
	} else {
		l.build3(root, sc)
	}
	for _, ns := range doc.Namespaces {
		l.checkDuplicates(ns)
	}
}

// checkRefs reports every $ref of the document that resolves to nothing.
func (l *loader) checkRefs(n node) {
	budget := 1_000_000
	var walk func(n node)
	walk = func(n node) {
		if budget--; budget < 0 {
			return
		}
		switch v := n.v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := l.resolve(n.src, ref); err != nil {
					l.add(n.src, n.ptr+"/$ref", SeverityError, "dangling-ref", err.Error(), "")
				}
			}
			for _, k := range n.keys() {
				walk(n.get(k))
			}
		case []any:
			for i := range v {
				walk(n.idx(i))
			}
		}
	}
	walk(n)
}

func (l *loader) scheme(name string, n node) *SecurityScheme {
	if n.obj() == nil {
		return nil
	}
	s := &SecurityScheme{Name: name, Type: n.str("type"), Description: n.str("description"), In: n.str("in"),
		ParamName: n.str("name"), Scheme: n.str("scheme"), BearerFormat: n.str("bearerFormat"),
		OpenIDConnectURL: n.str("openIdConnectUrl"), Extensions: n.extensions(), Location: n.loc()}
	flows := n.get("flows")
	s.Flows = flows.obj()
	for _, f := range flows.keys() {
		fl := flows.get(f)
		for _, key := range []string{"scopes", "availableScopes"} {
			for _, sc := range fl.get(key).keys() {
				if !slices.Contains(s.Scopes, sc) {
					s.Scopes = append(s.Scopes, sc)
				}
			}
		}
	}
	for _, sc := range n.get("scopes").list() {
		if str, ok := sc.(string); ok && !slices.Contains(s.Scopes, str) {
			s.Scopes = append(s.Scopes, str)
		}
	}
	return s
}

var varRe = regexp.MustCompile(`\{([^{}]*)\}`)

func (l *loader) server(name string, n node, rawURL, protocol string) *Server {
	s := &Server{Name: name, URL: rawURL, Protocol: protocol, Description: n.str("description"), Location: n.loc()}
	// substitute server variables with their default (or first enum value)
	vars := n.get("variables")
	expanded := varRe.ReplaceAllStringFunc(rawURL, func(m string) string {
		v := l.deref(vars.get(m[1 : len(m)-1]))
		if d, ok := v.get("default").v.(string); ok {
			return d
		}
		if e, ok := v.get("enum").v.([]any); ok && len(e) > 0 {
			if d, ok := e[0].(string); ok {
				return d
			}
		}
		return "x"
	})
	withScheme := expanded
	if !strings.Contains(withScheme, "://") {
		withScheme = "sockspec://" + strings.TrimPrefix(withScheme, "//")
	}
	u, err := url.Parse(withScheme)
	path := ""
	if err == nil {
		s.Host = u.Host
		path = u.Path
		if u.Scheme == "wss" || u.Scheme == "https" {
			s.TLS = true
		}
	}
	switch strings.ToLower(protocol) {
	case "wss", "https":
		s.TLS = true
	}
	if path == "" || path == "/" {
		path = "/socket.io/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	s.Path = path
	return s
}

// checkServerVariables: every {var} of a url is defined and every variable is used.
func (l *loader) checkServerVariables(n node, field, text string) {
	used := map[string]bool{}
	for _, m := range varRe.FindAllStringSubmatch(text, -1) {
		used[m[1]] = true
		if n.get("variables").get(m[1]).src == nil {
			l.add(n.src, n.ptr+"/"+field, SeverityError, "server-variable-undefined",
				fmt.Sprintf("server %s uses variable {%s}, which is not defined in its variables", field, m[1]),
				fmt.Sprintf("add variables: {%s: {default: ...}}", m[1]))
		}
	}
	for _, k := range n.get("variables").keys() {
		if !used[k] {
			l.add(n.src, n.get("variables").get(k).ptr, SeverityError, "server-variable-unused",
				fmt.Sprintf("server variable %q is not used in the server %s", k, field), "remove it or use {"+k+"}")
		}
	}
}

func (l *loader) checkChannelAddress(n node, address string) {
	if strings.ContainsAny(address, "?#") {
		l.add(n.src, n.ptr, SeverityError, "channel-address-query",
			fmt.Sprintf("channel address %q contains a query (?) or fragment (#)", address), "a Socket.IO namespace is a path: put query parameters in bindings.ws.query")
	}
}

// security2 reads a 2.x style requirement list: [{scheme: [scopes]}].
func (l *loader) security2(n node) []SecurityRequirement {
	var out []SecurityRequirement
	items, _ := n.v.([]any)
	for i := range items {
		it := n.idx(i)
		var req SecurityRequirement
		for _, name := range it.keys() {
			use := SchemeUse{Name: name}
			scopesNode := it.get(name)
			for _, sc := range scopesNode.list() {
				if s, ok := sc.(string); ok {
					use.Scopes = append(use.Scopes, s)
				}
			}
			use.Scheme = l.doc.SecurityScheme(name)
			if use.Scheme == nil {
				var names []string
				for _, s := range l.doc.SecuritySchemes {
					names = append(names, s.Name)
				}
				hint := "define it under components.securitySchemes"
				if len(names) > 0 {
					hint += " (defined: " + strings.Join(names, ", ") + ")"
				}
				l.add(it.src, scopesNode.ptr, SeverityError, "undefined-security-scheme",
					fmt.Sprintf("security requirement names scheme %q, which components.securitySchemes does not define", name), hint)
			} else if len(use.Scopes) > 0 && use.Scheme.Type != "oauth2" && use.Scheme.Type != "openIdConnect" {
				l.add(it.src, scopesNode.ptr, SeverityError, "scopes-not-allowed",
					fmt.Sprintf("scopes are listed for scheme %q of type %q; only oauth2 and openIdConnect schemes take scopes", name, use.Scheme.Type), "use an empty list: "+name+": []")
			}
			req.Schemes = append(req.Schemes, use)
		}
		out = append(out, req)
	}
	return out
}

// security3 reads a 3.x requirement list: [scheme object or $ref].
func (l *loader) security3(n node) []SecurityRequirement {
	var out []SecurityRequirement
	items, _ := n.v.([]any)
	for i := range items {
		it := n.idx(i)
		ref, _ := it.get("$ref").v.(string)
		t := l.deref(it)
		if t.obj() == nil {
			continue
		}
		use := SchemeUse{}
		if p, ok := strings.CutPrefix(ref, "#/components/securitySchemes/"); ok {
			use.Name = unescapePtr(p)
			use.Scheme = l.doc.SecurityScheme(use.Name)
		}
		if use.Scheme == nil {
			use.Scheme = l.scheme(use.Name, t)
		}
		for _, sc := range t.get("scopes").list() {
			if s, ok := sc.(string); ok {
				use.Scopes = append(use.Scopes, s)
			}
		}
		out = append(out, SecurityRequirement{Schemes: []SchemeUse{use}})
	}
	return out
}

// namespaceFor returns the namespace named name, creating it at n.
func (l *loader) namespaceFor(name string, n node) *Namespace {
	if ns := l.doc.Namespace(name); ns != nil {
		return ns
	}
	ns := &Namespace{Name: name, Location: n.loc()}
	l.doc.Namespaces = append(l.doc.Namespaces, ns)
	return ns
}

func normalizeNamespace(s string) string {
	if !strings.HasPrefix(s, "/") {
		return "/" + s
	}
	return s
}

// channelCommon reads what 2.x and 3.x channels share: bindings, x-handlers, x-security.
func (l *loader) channelCommon(ns *Namespace, ch node, sc *schemaCompiler, v3 bool) {
	if d := ch.str("description"); d != "" && ns.Description == "" {
		ns.Description = d
	}
	for k, v := range ch.extensions() {
		if ns.Extensions == nil {
			ns.Extensions = map[string]any{}
		}
		ns.Extensions[k] = v
	}
	ws := l.deref(l.deref(ch.get("bindings")).get("ws"))
	if ws.obj() != nil {
		if q := ws.get("query"); q.src != nil {
			l.checkBindingObject(q, "query", true)
			ns.Bindings.Query = sc.compile(q, "", "the ws binding query schema")
		}
		if h := ws.get("headers"); h.src != nil {
			l.checkBindingObject(h, "headers", false)
			ns.Bindings.Headers = sc.compile(h, "", "the ws binding headers schema")
		}
		ns.Bindings.Method = ws.str("method")
	}
	h := l.deref(ch.get("x-handlers"))
	if h.obj() != nil {
		ns.Handlers = Handlers{Connect: h.str("connect"), Disconnect: h.str("disconnect"), Error: h.str("error")}
		for _, k := range h.keys() {
			if k != "connect" && k != "disconnect" && k != "error" {
				l.add(h.src, h.get(k).ptr, SeverityWarning, "unknown-handler",
					fmt.Sprintf("x-handlers has unknown key %q", k), "x-handlers takes connect, disconnect and error")
			}
		}
	}
	if xa := ch.get("x-auth"); xa.src != nil {
		if l.checkAuthObject(xa) {
			ns.Auth = sc.compile(xa, "", "the x-auth schema")
		}
	}
	if xs := ch.get("x-security"); xs.src != nil {
		items, isList := xs.v.([]any)
		if isList {
			ns.OwnSecurity = true
			ns.Security = []SecurityRequirement{}
		}
		if len(items) > 0 {
			if first := xs.idx(0); first.get("$ref").src != nil || (v3 && first.get("type").src != nil) {
				ns.Security = l.security3(xs)
			} else {
				ns.Security = l.security2(xs)
			}
		} else if xs.v != nil {
			if _, isList := xs.v.([]any); !isList {
				l.add(xs.src, xs.ptr, SeverityError, "invalid-x-security", "x-security must be a list of security requirements", "x-security: [{schemeName: []}]")
			}
		}
	}
}

// checkAuthObject: x-auth is a schema of type object (the CONNECT auth payload is always a
// JSON object). It reports whether the schema is worth compiling.
func (l *loader) checkAuthObject(n node) bool {
	t := l.deref(n)
	if t.src == nil {
		return false // a dangling $ref, reported by deref
	}
	m := t.obj()
	if typ, _ := m["type"].(string); m == nil || typ != "object" {
		l.add(t.src, t.ptr, SeverityError, "auth-not-object",
			"x-auth must be a schema of type object (the CONNECT auth payload is a JSON object)",
			"x-auth: {type: object, properties: {token: {type: string}}, required: [token]}")
		return false
	}
	return true
}

// checkBindingObject: a ws binding query/headers schema is an object whose
// properties are primitives (query values may also be arrays of primitives).
func (l *loader) checkBindingObject(n node, what string, allowArrays bool) {
	t := l.deref(n)
	m := t.obj()
	if m == nil {
		return // structural validation reports it
	}
	if typ, _ := m["type"].(string); typ != "object" {
		l.add(t.src, t.ptr, SeverityError, "binding-not-object",
			fmt.Sprintf("the ws binding %s must be a schema of type object (one property per %s)", what, strings.TrimSuffix(what, "s")),
			"add type: object and describe each parameter under properties")
		return
	}
	props := t.get("properties")
	for _, k := range props.keys() {
		p := l.deref(props.get(k))
		if !isPrimitiveSchema(l, p, allowArrays) {
			l.add(p.src, p.ptr, SeverityError, "binding-not-primitive",
				fmt.Sprintf("ws binding %s parameter %q must be a string, number, integer or boolean schema", what, k),
				"a handshake "+strings.TrimSuffix(what, "s")+" carries text; describe structured data in the auth payload instead")
		}
	}
}

func isPrimitiveSchema(l *loader, p node, allowArrays bool) bool {
	m := p.obj()
	if m == nil {
		return p.v == true
	}
	var types []string
	switch t := m["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types = append(types, s)
			}
		}
	case nil:
		return true // enum/const/format-only schemas
	}
	for _, t := range types {
		switch t {
		case "string", "number", "integer", "boolean", "null":
		case "array":
			if !allowArrays {
				return false
			}
			if it := l.deref(p.get("items")); it.src != nil && !isPrimitiveSchema(l, it, false) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// field returns key from obj with traits applied: in 2.x a trait overrides the
// object (JSON merge patch of the trait onto the object), in 3.x the object wins.
func field(obj node, traits []node, key string, v3 bool) node {
	own := obj.get(key)
	if v3 && own.src != nil {
		return own
	}
	for i := len(traits) - 1; i >= 0; i-- {
		if f := traits[i].get(key); f.src != nil {
			return f
		}
	}
	return own
}

func (l *loader) traits(n node) []node {
	var out []node
	items, _ := n.v.([]any)
	for i := range items {
		if t := l.deref(n.idx(i)); t.obj() != nil {
			out = append(out, t)
		}
	}
	return out
}

// event builds an event from a (dereferenced) message object.
func (l *loader) event(msg node, key string, dir Direction, sc *schemaCompiler, v3 bool) *Event {
	traits := l.traits(msg.get("traits"))
	f := func(k string) node { return field(msg, traits, k, v3) }
	name, _ := f("name").v.(string)
	id, _ := f("messageId").v.(string)
	if id == "" {
		id = key
	}
	if name == "" {
		name = id
		if name == "" {
			l.add(msg.src, msg.ptr, SeverityWarning, "message-without-name",
				"message has no name (nor messageId or component key), so it is no Socket.IO event and is ignored", "add name: <event name>")
			return nil
		}
		l.add(msg.src, msg.ptr, SeverityWarning, "message-without-name",
			fmt.Sprintf("message has no name; sockspec uses %q as the Socket.IO event name", name), "add name: "+name)
	}
	ev := &Event{Name: name, Direction: dir, MessageID: id, Location: msg.loc()}
	ev.Summary, _ = f("summary").v.(string)
	ev.Description, _ = f("description").v.(string)
	ev.Handler, _ = f("x-handler").v.(string)
	ev.Extensions = msg.extensions()
	what := fmt.Sprintf("payload of event %q", name)
	payload := f("payload")
	format, _ := f("schemaFormat").v.(string)
	formatNode := f("schemaFormat")
	if p := l.deref(payload); v3 && p.get("schemaFormat").src != nil && p.get("schema").src != nil {
		format, _ = p.get("schemaFormat").v.(string)
		formatNode = p.get("schemaFormat")
		payload = p.get("schema")
	}
	dialect, err := dialectOfSchemaFormat(format)
	if err != nil {
		l.add(formatNode.src, formatNode.ptr, SeverityError, "unsupported-schema-format", err.Error(), "")
		ev.Arity = Arity{Kind: ArityOne, Min: 1, Max: 1}
	} else if payload.src != nil {
		ev.Payload = sc.compile(payload, dialect, what)
		ev.Arity = l.arityOf(payload, dialect)
		if ev.Payload != nil {
			l.checkSchemaExamples(payload, ev.Payload)
		}
	}
	if h := f("headers"); h.src != nil {
		hd := h
		if p := l.deref(h); v3 && p.get("schemaFormat").src != nil && p.get("schema").src != nil {
			hd = p.get("schema")
		}
		ev.Headers = sc.compile(hd, dialect, fmt.Sprintf("headers of event %q", name))
	}
	if a := f("x-ack"); a.src != nil {
		ev.Ack = l.xack(a, sc, name)
	}
	ex := f("examples")
	items, _ := ex.v.([]any)
	for i := range items {
		e := l.deref(ex.idx(i))
		if p := e.get("payload"); p.src != nil {
			ev.Examples = append(ev.Examples, p.v)
			if ev.Payload != nil {
				l.validateInstance(ev.Payload, p, "message-example", fmt.Sprintf("example %d of event %q does not match its payload schema", i, name))
			}
		}
		if h := e.get("headers"); h.src != nil && ev.Headers != nil {
			l.validateInstance(ev.Headers, h, "message-example", fmt.Sprintf("example %d of event %q does not match its headers schema", i, name))
		}
	}
	return ev
}

// xack reads Asynction's x-ack: {args: schema} or sio-asyncapi's bare x-ack: schema.
func (l *loader) xack(a node, sc *schemaCompiler, event string) *Ack {
	t := l.deref(a)
	ack := &Ack{Source: "x-ack", Location: a.loc()}
	m := t.obj()
	if m == nil && t.v != true {
		l.add(a.src, a.ptr, SeverityError, "invalid-ack", "x-ack must be an object: {args: schema} or a schema", "")
		return nil
	}
	schema := t
	if _, ok := m["args"]; ok {
		schema = t.get("args")
	} else if len(m) == 0 {
		return ack // acknowledged with no argument
	}
	ack.Payload = sc.compile(schema, "", fmt.Sprintf("ack of event %q", event))
	ack.Arity = l.arityOf(schema, "")
	return ack
}

// validateInstance validates a value of the document against a schema and
// reports each failure at the value's position.
func (l *loader) validateInstance(s *Schema, v node, code, msg string) {
	l.validateInstanceSev(s, v, SeverityError, code, msg)
}

func (l *loader) validateInstanceSev(s *Schema, v node, sev Severity, code, msg string) {
	err := s.Compiled.Validate(v.v)
	if err == nil {
		return
	}
	if verr, ok := asValidationError(err); ok {
		for _, leaf := range bestLeaves(verr) {
			p := v.ptr + jsonPtr(leaf.InstanceLocation)
			l.add(v.src, p, sev, code, msg+": "+leafMessage(leaf, "the value"), "")
		}
		return
	}
	l.add(v.src, v.ptr, sev, code, msg+": "+err.Error(), "")
}

// checkSchemaExamples validates a schema's own default and examples against it.
func (l *loader) checkSchemaExamples(n node, s *Schema) {
	t := l.deref(n)
	if d := t.get("default"); d.src != nil {
		l.validateInstanceSev(s, d, SeverityWarning, "schema-default", "the schema's default does not match the schema")
	}
	ex := t.get("examples")
	items, _ := ex.v.([]any)
	for i := range items {
		l.validateInstanceSev(s, ex.idx(i), SeverityWarning, "schema-example", fmt.Sprintf("example %d does not match the schema", i))
	}
}

// checkDuplicates reports events with the same name and direction in a namespace.
func (l *loader) checkDuplicates(ns *Namespace) {
	var kept []*Event
	for _, e := range ns.Events {
		var prev *Event
		for _, k := range kept {
			if k.Name == e.Name && k.Direction == e.Direction {
				prev = k
				break
			}
		}
		if prev == nil {
			kept = append(kept, e)
			continue
		}
		if prev.Location.File == e.Location.File && prev.Location.Pointer == e.Location.Pointer {
			continue // the same message listed twice (e.g. by two 3.x operations)
		}
		src := l.sourceByName(e.Location.File)
		l.add(src, e.Location.Pointer, SeverityError, "duplicate-event",
			fmt.Sprintf("namespace %s has two %s events named %q (the other is at line %d)", ns.Name, e.Direction, e.Name, prev.Location.Line),
			"Socket.IO dispatches by event name: give each message of a namespace and direction a distinct name")
	}
	ns.Events = kept
}

func (l *loader) sourceByName(name string) *source {
	for _, s := range l.files {
		if s.name == name {
			return s
		}
	}
	return l.doc.main
}

// checkTags reports tag lists that name a tag twice (outside schemas).
func (l *loader) checkTags(n node) {
	budget := 1_000_000
	var walk func(n node, depth int)
	walk = func(n node, depth int) {
		if budget--; budget < 0 || depth > 64 {
			return
		}
		switch v := n.v.(type) {
		case map[string]any:
			if inSchema(strings.Split(n.ptr+"/x", "/")) {
				return
			}
			for _, k := range n.keys() {
				c := n.get(k)
				if k == "tags" {
					seen := map[string]int{}
					for i := range c.list() {
						name, _ := c.idx(i).get("name").v.(string)
						if name == "" {
							continue
						}
						if prev, dup := seen[name]; dup {
							l.add(c.src, c.idx(i).get("name").ptr, SeverityError, "duplicate-tag",
								fmt.Sprintf("tag %q is listed twice (also at index %d)", name, prev), "each tag of a list must have a unique name")
						} else {
							seen[name] = i
						}
					}
				}
				walk(c, depth+1)
			}
		case []any:
			for i := range v {
				walk(n.idx(i), depth+1)
			}
		}
	}
	walk(n, 0)
}
