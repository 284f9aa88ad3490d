package docs

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
)

// page is everything the HTML template shows, built once from the served
// (stripped) document.
type page struct {
	Title        string
	Version      string
	AsyncAPI     string
	ID           string
	Description  template.HTML
	Terms        string
	Contact      *link
	License      *link
	ExternalDocs *link
	Tags         []string
	ContentType  string
	Servers      []*server
	Namespaces   []*namespace
	Schemes      []*scheme
	EventCount   int
	// ErrorAcks: some event the client emits is acknowledged, so the page shows once the
	// error acknowledgement a sockspec server sends instead when such an event fails.
	ErrorAcks  bool
	Internal   bool
	Extensions []extension
}

type link struct{ Name, URL, Email string }

type extension struct{ Key, Value string }

type server struct {
	ID, Name, Title string
	URL, Protocol   string
	ProtocolVersion string
	SocketIOPath    string
	Description     template.HTML
	Variables       []variable
	Security        []requirement
	Bindings        string
	Tags            []string
	scheme, host    string
}

type variable struct {
	Name, Default, Enum string
	Description         template.HTML
}

// requirement is one Security Requirement: all of its schemes must pass
// (AND); a list of requirements is alternatives (OR).
type requirement struct{ Schemes []reqScheme }

type reqScheme struct {
	Name, Anchor string
	Scopes       []string
	Missing      bool
}

type scheme struct {
	ID, Name, Type, TypeLabel string
	Description               template.HTML
	Details                   []extension
	Flows                     []flow
}

type flow struct {
	Name   string
	URLs   []extension
	Scopes []extension
}

type namespace struct {
	ID, Name, Title string
	Summary         string
	Description     template.HTML
	Emits, Listens  []*event
	Query, Headers  *schemaNode
	Method          string
	Auth            *schemaNode
	Security        []requirement
	ServerSecurity  bool // no x-security of its own, and a server requires security
	Handlers        []extension
	Extensions      []extension
	Connect         string
}

type event struct {
	ID, Name, Title, Summary string
	Description              template.HTML
	Direction                string // "emit" (client emits) or "listen" (client listens)
	Payload                  *schemaNode
	Headers                  *schemaNode
	Ack                      *schemaNode
	AckDescription           template.HTML
	Examples                 []example
	ContentType              string
	Deprecated               bool
	OperationID              string
	Tags                     []string
	Handler                  string
	Security                 []requirement
	Extensions               []extension
	Component                string
}

type example struct {
	Name, Summary, Payload, Headers string
}

// knownExtensions are rendered by dedicated sections, not in the generic
// "extensions" list.
var knownExtensions = map[string]bool{
	"x-ack": true, "x-security": true, "x-handler": true, "x-handlers": true, "x-auth": true,
}

type builder struct {
	r      *resolver
	ids    idGen
	schema *schemaBuilder
	v3     bool
	page   *page
}

func buildPage(doc map[string]any, title string, internal bool) (*page, error) {
	ver, _ := doc["asyncapi"].(string)
	if ver == "" {
		return nil, fmt.Errorf("docs: document has no \"asyncapi\" version string")
	}
	major, _, _ := strings.Cut(ver, ".")
	if major != "2" && major != "3" {
		return nil, fmt.Errorf("docs: unsupported asyncapi version %q (want 2.x or 3.x)", ver)
	}
	b := &builder{r: &resolver{root: doc}, v3: major == "3"}
	b.schema = newSchemaBuilder(b.r, &b.ids)
	p := &page{AsyncAPI: ver, Internal: internal}
	b.page = p
	p.ID, _ = doc["id"].(string)
	p.ContentType, _ = doc["defaultContentType"].(string)

	info, _ := b.r.derefMap(doc["info"])
	p.Title, _ = info["title"].(string)
	if title != "" {
		p.Title = title
	}
	if p.Title == "" {
		p.Title = "AsyncAPI documentation"
	}
	p.Version = str(info["version"])
	if d, ok := info["description"].(string); ok {
		p.Description = markdown(d)
	}
	p.Terms, _ = info["termsOfService"].(string)
	if c, ok := info["contact"].(map[string]any); ok {
		p.Contact = &link{Name: str(c["name"]), URL: safeURL(str(c["url"])), Email: str(c["email"])}
	}
	if l, ok := info["license"].(map[string]any); ok {
		p.License = &link{Name: str(l["name"]), URL: safeURL(str(l["url"]))}
	}
	ext := doc["externalDocs"]
	if ext == nil {
		ext = info["externalDocs"]
	}
	if e, _ := b.r.derefMap(ext); e != nil {
		p.ExternalDocs = &link{Name: str(e["description"]), URL: safeURL(str(e["url"]))}
	}
	p.Tags = b.tags(doc["tags"])
	if p.Tags == nil {
		p.Tags = b.tags(info["tags"])
	}
	p.Extensions = extensions(doc)

	comps, _ := b.r.derefMap(doc["components"])
	schemes, _ := b.r.derefMap(comps["securitySchemes"])
	for _, name := range sortedKeys(schemes) {
		p.Schemes = append(p.Schemes, b.scheme(name, schemes[name]))
	}

	servers, _ := b.r.derefMap(doc["servers"])
	for _, name := range sortedKeys(servers) {
		p.Servers = append(p.Servers, b.server(name, servers[name]))
	}

	if b.v3 {
		b.channels3(doc)
	} else {
		b.channels2(doc)
	}
	for _, ns := range p.Namespaces {
		p.EventCount += len(ns.Emits) + len(ns.Listens)
		for _, ev := range ns.Emits {
			p.ErrorAcks = p.ErrorAcks || ev.Ack != nil
		}
		ns.Connect = connectSnippet(p.Servers, ns)
		if ns.Security == nil {
			for _, s := range p.Servers {
				if len(s.Security) > 0 {
					ns.ServerSecurity = true
				}
			}
		}
	}
	return p, nil
}

// sortNamespaces puts the main namespace "/" first, the rest by name.
func sortNamespaces(names []string) {
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "/":
			return -1
		case b == "/":
			return 1
		case a < b:
			return -1
		}
		return 1
	})
}

func (b *builder) newNamespace(name string, ch map[string]any) *namespace {
	ns := &namespace{Name: name, ID: b.ids.next("ns-" + name)}
	if name == "/" {
		ns.ID = b.ids.next("ns-main")
	}
	ns.Title, _ = ch["title"].(string)
	ns.Summary, _ = ch["summary"].(string)
	if d, ok := ch["description"].(string); ok {
		ns.Description = markdown(d)
	}
	if bind, _ := b.r.derefMap(ch["bindings"]); bind != nil {
		if ws, _ := b.r.derefMap(bind["ws"]); ws != nil {
			if q, ok := ws["query"]; ok {
				ns.Query = b.schema.build(q, false)
			}
			if h, ok := ws["headers"]; ok {
				ns.Headers = b.schema.build(h, false)
			}
			ns.Method, _ = ws["method"].(string)
		}
	}
	if a, ok := ch["x-auth"]; ok {
		ns.Auth = b.schema.build(a, false)
	}
	if sec, ok := ch["x-security"]; ok {
		ns.Security = b.requirements(sec)
	}
	if h, ok := ch["x-handlers"].(map[string]any); ok {
		for _, k := range sortedKeys(h) {
			ns.Handlers = append(ns.Handlers, extension{k, str(h[k])})
		}
	}
	ns.Extensions = extensions(ch)
	return ns
}

func (b *builder) channels2(doc map[string]any) {
	chans, _ := b.r.derefMap(doc["channels"])
	names := sortedKeys(chans)
	sortNamespaces(names)
	for _, name := range names {
		ch, _ := b.r.derefMap(chans[name])
		if ch == nil {
			continue
		}
		ns := b.newNamespace(name, ch)
		for _, op := range [...]struct{ key, dir string }{{"publish", "emit"}, {"subscribe", "listen"}} {
			opm, _ := b.r.derefMap(ch[op.key])
			if opm == nil {
				continue
			}
			opm = b.applyTraits(opm)
			opID, _ := opm["operationId"].(string)
			sec := b.requirements(opm["security"])
			for _, mr := range b.messages2(opm["message"]) {
				ev := b.event(ns, mr.msg, mr.ref, op.dir)
				ev.OperationID = opID
				ev.Security = sec
				if ev.Ack == nil {
					ev.Ack, ev.AckDescription = b.xAck(mr.msg)
				}
				ns.add(ev)
			}
		}
		b.page.Namespaces = append(b.page.Namespaces, ns)
	}
}

type msgRef struct {
	msg map[string]any
	ref string
	id  string
}

// messages2 expands a 2.x operation's message: one message, a $ref, or
// {oneOf: [...]} (whose items may also be bare "#/..." strings, as some
// Asynction documents write them).
func (b *builder) messages2(v any) []msgRef {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "#") {
		v = map[string]any{"$ref": s}
	}
	m, ref := b.r.derefMap(v)
	if m == nil {
		if ref != "" {
			return []msgRef{{msg: map[string]any{"description": "unresolved reference " + ref}, ref: ref}}
		}
		return nil
	}
	if list, ok := m["oneOf"].([]any); ok {
		var out []msgRef
		for _, item := range list {
			out = append(out, b.messages2(item)...)
		}
		return out
	}
	return []msgRef{{msg: m, ref: ref}}
}

func (b *builder) channels3(doc map[string]any) {
	chans, _ := b.r.derefMap(doc["channels"])
	ops, _ := b.r.derefMap(doc["operations"])

	// Channel id -> namespace name. Channels used only as reply channels
	// (often with a null address) are not namespaces of their own.
	replyOnly := map[string]bool{}
	replyMsgs := map[string]bool{}
	hasOp := map[string]bool{}
	for _, opName := range sortedKeys(ops) {
		opm, _ := b.r.derefMap(ops[opName])
		if ref, ok := refOf(opm["channel"]); ok {
			hasOp[refName(ref)] = true
		}
		if rep, _ := b.r.derefMap(opm["reply"]); rep != nil {
			if ref, ok := refOf(rep["channel"]); ok {
				replyOnly[refName(ref)] = true
			}
			list, _ := rep["messages"].([]any)
			for _, m := range list {
				if ref, ok := refOf(m); ok {
					replyMsgs[ref] = true
				}
			}
		}
	}
	byName := map[string]*namespace{}
	chanNS := map[string]*namespace{}
	var names []string
	for _, id := range sortedKeys(chans) {
		if replyOnly[id] && !hasOp[id] {
			continue
		}
		ch, _ := b.r.derefMap(chans[id])
		if ch == nil {
			continue
		}
		addr, _ := ch["address"].(string)
		if addr == "" {
			addr = id
		}
		if !strings.HasPrefix(addr, "/") {
			addr = "/" + addr
		}
		ns := byName[addr]
		if ns == nil {
			ns = b.newNamespace(addr, ch)
			byName[addr] = ns
			names = append(names, addr)
		}
		chanNS[id] = ns
	}
	for _, opName := range sortedKeys(ops) {
		opm, _ := b.r.derefMap(ops[opName])
		if opm == nil {
			continue
		}
		opm = b.applyTraits(opm)
		chRef, _ := refOf(opm["channel"])
		ns := chanNS[refName(chRef)]
		if ns == nil {
			continue
		}
		dir := "emit" // action "receive": the application receives what clients emit
		if a, _ := opm["action"].(string); a == "send" {
			dir = "listen"
		}
		var msgs []msgRef
		if list, ok := opm["messages"].([]any); ok {
			for _, item := range list {
				m, ref := b.r.derefMap(item)
				if m != nil {
					msgs = append(msgs, msgRef{msg: m, ref: ref, id: refName(ref)})
				}
			}
		} else {
			// All of the channel's messages, except those that are replies.
			for _, mr := range b.channelMessages(opm["channel"]) {
				if !replyMsgs[chRef+"/messages/"+escapePtr(mr.id)] {
					msgs = append(msgs, mr)
				}
			}
		}
		ack, ackDesc := b.reply3(opm["reply"])
		sec := b.requirements(opm["security"])
		for _, mr := range msgs {
			ev := b.event(ns, mr.msg, mr.id, dir)
			ev.OperationID = opName
			if t, _ := opm["title"].(string); t != "" && ev.Title == "" {
				ev.Title = t
			}
			if ev.Summary == "" {
				ev.Summary, _ = opm["summary"].(string)
			}
			if ev.Description == "" {
				if d, ok := opm["description"].(string); ok {
					ev.Description = markdown(d)
				}
			}
			ev.Security = sec
			ev.Ack, ev.AckDescription = ack, ackDesc
			if ev.Ack == nil {
				ev.Ack, ev.AckDescription = b.xAck(mr.msg)
			}
			ns.add(ev)
		}
	}
	sortNamespaces(names)
	for _, n := range names {
		ns := byName[n]
		// Operations are a map: order events by name, not by operation id.
		for _, evs := range [][]*event{ns.Emits, ns.Listens} {
			slices.SortStableFunc(evs, func(a, b *event) int { return strings.Compare(a.Name, b.Name) })
		}
		b.page.Namespaces = append(b.page.Namespaces, ns)
	}
}

func (b *builder) channelMessages(chRef any) []msgRef {
	ch, _ := b.r.derefMap(chRef)
	msgs, _ := b.r.derefMap(ch["messages"])
	var out []msgRef
	for _, id := range sortedKeys(msgs) {
		if m, _ := b.r.derefMap(msgs[id]); m != nil {
			out = append(out, msgRef{msg: m, id: id})
		}
	}
	return out
}

// reply3 renders a 3.x Operation Reply as the ack schema: the payload of its
// message, or a choice between several.
func (b *builder) reply3(v any) (*schemaNode, template.HTML) {
	rep, _ := b.r.derefMap(v)
	if rep == nil {
		return nil, ""
	}
	var msgs []msgRef
	if list, ok := rep["messages"].([]any); ok {
		for _, item := range list {
			if m, ref := b.r.derefMap(item); m != nil {
				msgs = append(msgs, msgRef{msg: m, id: refName(ref)})
			}
		}
	} else {
		msgs = b.channelMessages(rep["channel"])
	}
	var desc template.HTML
	if d, ok := rep["description"].(string); ok {
		desc = markdown(d)
	}
	switch len(msgs) {
	case 0:
		return &schemaNode{LabelKind: "root", Types: []string{"any"}}, desc
	case 1:
		if desc == "" {
			if d, ok := msgs[0].msg["description"].(string); ok {
				desc = markdown(d)
			}
		}
		return b.payload(msgs[0].msg), desc
	}
	root := &schemaNode{LabelKind: "root", Note: "one of these replies"}
	for _, m := range msgs {
		c := b.payload(m.msg)
		c.Label, c.LabelKind = messageName(m.msg, m.id), "variant"
		root.Children = append(root.Children, c)
	}
	return root, desc
}

// xAck renders the Socket.IO x-ack extension ({args: schema}).
func (b *builder) xAck(msg map[string]any) (*schemaNode, template.HTML) {
	ack, ref := b.r.derefMap(msg["x-ack"])
	if ack == nil {
		if ref != "" {
			return &schemaNode{LabelKind: "root", Note: "unresolved reference " + ref}, ""
		}
		return nil, ""
	}
	var desc template.HTML
	if d, ok := ack["description"].(string); ok {
		desc = markdown(d)
	}
	// Asynction's {args: schema}; {} is an ack without arguments; any other
	// object is the args schema itself (sio-asyncapi's bare x-ack).
	if args, ok := ack["args"]; ok {
		return b.schema.build(args, true), desc
	}
	if len(ack) == 0 {
		return &schemaNode{LabelKind: "root", Note: "acknowledged without arguments"}, desc
	}
	return b.schema.build(msg["x-ack"], true), ""
}

func (b *builder) payload(msg map[string]any) *schemaNode {
	p, ok := msg["payload"]
	if !ok {
		return nil
	}
	// 3.x Multi Format Schema Object.
	if m, isMap := p.(map[string]any); isMap {
		if s, has := m["schema"]; has {
			if _, mf := m["schemaFormat"]; mf {
				p = s
			}
		}
	}
	return b.schema.build(p, true)
}

func messageName(msg map[string]any, id string) string {
	if n, ok := msg["name"].(string); ok && n != "" {
		return n
	}
	if id != "" {
		return id
	}
	if t, ok := msg["title"].(string); ok && t != "" {
		return t
	}
	return "message"
}

func (b *builder) event(ns *namespace, msg map[string]any, ref, dir string) *event {
	msg = b.applyTraits(msg)
	id := refName(ref)
	if ref == "" {
		id = ""
	}
	ev := &event{Name: messageName(msg, id), Direction: dir, Component: id}
	ev.ID = b.ids.next(ns.ID + "-" + dir + "-" + ev.Name)
	ev.Title, _ = msg["title"].(string)
	ev.Summary, _ = msg["summary"].(string)
	if d, ok := msg["description"].(string); ok {
		ev.Description = markdown(d)
	}
	ev.ContentType, _ = msg["contentType"].(string)
	ev.Deprecated, _ = msg["deprecated"].(bool)
	ev.Handler, _ = msg["x-handler"].(string)
	ev.Tags = b.tags(msg["tags"])
	ev.Payload = b.payload(msg)
	if h, ok := msg["headers"]; ok {
		ev.Headers = b.schema.build(h, false)
	}
	if list, ok := msg["examples"].([]any); ok {
		for i, e := range list {
			em, _ := e.(map[string]any)
			if em == nil {
				continue
			}
			ex := example{Name: str(em["name"]), Summary: str(em["summary"])}
			if ex.Name == "" {
				ex.Name = fmt.Sprintf("Example %d", i+1)
			}
			if pl, ok := em["payload"]; ok {
				ex.Payload = prettyJSON(pl)
			}
			if h, ok := em["headers"]; ok {
				ex.Headers = prettyJSON(h)
			}
			if _, named := em["name"]; !named && ex.Payload == "" && ex.Headers == "" {
				ex.Payload = prettyJSON(em) // 2.0.0 allowed any map
			}
			ev.Examples = append(ev.Examples, ex)
		}
	}
	ev.Extensions = extensions(msg)
	return ev
}

func (ns *namespace) add(ev *event) {
	if ev.Direction == "emit" {
		ns.Emits = append(ns.Emits, ev)
	} else {
		ns.Listens = append(ns.Listens, ev)
	}
}

// applyTraits merges message or operation traits into obj; the object's own
// fields win over its traits.
func (b *builder) applyTraits(obj map[string]any) map[string]any {
	traits, ok := obj["traits"].([]any)
	if !ok {
		return obj
	}
	out := make(map[string]any, len(obj))
	for _, t := range traits {
		// 2.x message traits may be [trait, bindings] pairs; take the trait.
		if pair, ok := t.([]any); ok && len(pair) > 0 {
			t = pair[0]
		}
		if tm, _ := b.r.derefMap(t); tm != nil {
			for k, v := range tm {
				out[k] = v
			}
		}
	}
	for k, v := range obj {
		if k != "traits" {
			out[k] = v
		}
	}
	return out
}

func (b *builder) server(name string, v any) *server {
	s := &server{Name: name, ID: b.ids.next("server-" + name)}
	m, _ := b.r.derefMap(v)
	s.Title, _ = m["title"].(string)
	s.Protocol, _ = m["protocol"].(string)
	s.ProtocolVersion = str(m["protocolVersion"])
	if d, ok := m["description"].(string); ok {
		s.Description = markdown(d)
	}
	path := ""
	if b.v3 {
		s.host, _ = m["host"].(string)
		path, _ = m["pathname"].(string)
		s.URL = s.host + path
	} else {
		s.URL, _ = m["url"].(string)
		rest := s.URL
		if i := strings.Index(rest, "://"); i >= 0 {
			if s.Protocol == "" {
				s.Protocol = rest[:i]
			}
			rest = rest[i+3:]
		}
		s.host, path = rest, ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			s.host, path = rest[:i], rest[i:]
		}
	}
	if strings.Trim(path, "/") == "" {
		path = "/socket.io"
	}
	s.SocketIOPath = path
	s.scheme = s.Protocol
	vars, _ := b.r.derefMap(m["variables"])
	for _, vn := range sortedKeys(vars) {
		vm, _ := b.r.derefMap(vars[vn])
		va := variable{Name: vn, Default: str(vm["default"])}
		if e, ok := vm["enum"].([]any); ok {
			parts := make([]string, len(e))
			for i, x := range e {
				parts[i] = str(x)
			}
			va.Enum = strings.Join(parts, ", ")
		}
		if d, ok := vm["description"].(string); ok {
			va.Description = inlineMarkdown(d)
		}
		s.Variables = append(s.Variables, va)
	}
	s.Security = b.requirements(m["security"])
	if bind, ok := m["bindings"]; ok {
		s.Bindings = prettyJSON(bind)
	}
	s.Tags = b.tags(m["tags"])
	return s
}

// requirements renders a security list. 2.x (and x-security): a list of
// {schemeName: [scopes]} objects. 3.x: a list of Security Scheme objects or
// $refs to them.
func (b *builder) requirements(v any) []requirement {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	schemes := map[string]bool{}
	for _, s := range b.page.Schemes {
		schemes[s.Name] = true
	}
	anchor := func(name string) string {
		if schemes[name] {
			return "scheme-" + slug(name)
		}
		return ""
	}
	var out []requirement
	for _, item := range list {
		var req requirement
		if ref, isRef := refOf(item); isRef || b.v3 {
			sm, _ := b.r.derefMap(item)
			name := refName(ref)
			if ref == "" {
				name = str(sm["name"])
				if name == "" {
					name = str(sm["type"])
				}
			}
			rs := reqScheme{Name: name, Anchor: anchor(name), Missing: sm == nil}
			if sc, ok := sm["scopes"].([]any); ok {
				for _, s := range sc {
					rs.Scopes = append(rs.Scopes, str(s))
				}
			}
			req.Schemes = append(req.Schemes, rs)
		} else if m, ok := item.(map[string]any); ok {
			for _, name := range sortedKeys(m) {
				rs := reqScheme{Name: name, Anchor: anchor(name), Missing: !schemes[name]}
				if sc, ok := m[name].([]any); ok {
					for _, s := range sc {
						rs.Scopes = append(rs.Scopes, str(s))
					}
				}
				req.Schemes = append(req.Schemes, rs)
			}
		}
		out = append(out, req)
	}
	return out
}

var schemeTypeLabels = map[string]string{
	"userPassword": "user and password", "apiKey": "API key", "X509": "X.509 certificate",
	"symmetricEncryption": "symmetric encryption", "asymmetricEncryption": "asymmetric encryption",
	"httpApiKey": "HTTP API key", "http": "HTTP authentication", "oauth2": "OAuth 2.0",
	"openIdConnect": "OpenID Connect", "plain": "SASL plain", "scramSha256": "SCRAM-SHA-256",
	"scramSha512": "SCRAM-SHA-512", "gssapi": "GSSAPI",
}

func (b *builder) scheme(name string, v any) *scheme {
	m, ref := b.r.derefMap(v)
	s := &scheme{Name: name, ID: "scheme-" + slug(name)}
	b.ids.used = ensure(b.ids.used)
	b.ids.used[s.ID] = true
	if m == nil {
		s.TypeLabel = "unresolved reference " + ref
		return s
	}
	s.Type = str(m["type"])
	s.TypeLabel = schemeTypeLabels[s.Type]
	if s.TypeLabel == "" {
		s.TypeLabel = s.Type
	}
	if d, ok := m["description"].(string); ok {
		s.Description = markdown(d)
	}
	add := func(label, key string) {
		if val := str(m[key]); val != "" {
			s.Details = append(s.Details, extension{label, val})
		}
	}
	add("scheme", "scheme")
	add("bearer format", "bearerFormat")
	add("in", "in")
	add("parameter name", "name")
	add("OpenID Connect URL", "openIdConnectUrl")
	if sc, ok := m["scopes"].([]any); ok {
		parts := make([]string, len(sc))
		for i, x := range sc {
			parts[i] = str(x)
		}
		s.Details = append(s.Details, extension{"required scopes", strings.Join(parts, ", ")})
	}
	flows, _ := m["flows"].(map[string]any)
	for _, fn := range sortedKeys(flows) {
		fm, _ := flows[fn].(map[string]any)
		f := flow{Name: fn}
		for _, k := range [...]string{"authorizationUrl", "tokenUrl", "refreshUrl"} {
			if u := str(fm[k]); u != "" {
				f.URLs = append(f.URLs, extension{k, u})
			}
		}
		scopes, _ := fm["scopes"].(map[string]any)
		if scopes == nil {
			scopes, _ = fm["availableScopes"].(map[string]any)
		}
		for _, sn := range sortedKeys(scopes) {
			f.Scopes = append(f.Scopes, extension{sn, str(scopes[sn])})
		}
		s.Flows = append(s.Flows, f)
	}
	s.Details = append(s.Details, extensions(m)...)
	return s
}

func ensure(m map[string]bool) map[string]bool {
	if m == nil {
		return map[string]bool{}
	}
	return m
}

func (b *builder) tags(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, t := range list {
		if m, _ := b.r.derefMap(t); m != nil {
			if n := str(m["name"]); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// extensions lists the "x-" fields of obj that have no dedicated section.
func extensions(obj map[string]any) []extension {
	var out []extension
	for _, k := range sortedKeys(obj) {
		if strings.HasPrefix(k, "x-") && !knownExtensions[k] {
			v := obj[k]
			if s, ok := v.(string); ok {
				out = append(out, extension{k, s})
			} else {
				out = append(out, extension{k, prettyJSON(v)})
			}
		}
	}
	return out
}

// str formats scalars for display; non-scalars become compact JSON.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool, int64, uint64, float64, int:
		return compactJSON(x)
	}
	return compactJSON(v)
}

// safeURL drops link targets with dangerous schemes; html/template also
// filters href values, this keeps the visible text honest.
func safeURL(u string) string {
	if safeHref(u) {
		return u
	}
	return ""
}

// connectSnippet shows how a socket.io-client connects to the namespace on
// the first server, with the handshake query the bindings require.
func connectSnippet(servers []*server, ns *namespace) string {
	origin, path := "", "/socket.io"
	if len(servers) > 0 {
		s := servers[0]
		scheme := s.scheme
		switch scheme {
		case "ws", "wss", "http", "https":
		default:
			scheme = "https"
		}
		origin, path = scheme+"://"+substitute(s.host, s.Variables), substitute(s.SocketIOPath, s.Variables)
	}
	nsp := ns.Name
	if nsp == "/" {
		nsp = ""
	}
	var opts []string
	if path != "/socket.io" && path != "/socket.io/" {
		opts = append(opts, fmt.Sprintf("path: %q", path))
	}
	if ns.Query != nil {
		var qs []string
		for _, c := range ns.Query.Children {
			if c.Required && c.LabelKind == "prop" {
				qs = append(qs, fmt.Sprintf("%s: %q", jsKey(c.Label), "…"))
			}
		}
		if len(qs) > 0 {
			opts = append(opts, "query: { "+strings.Join(qs, ", ")+" }")
		}
	}
	if ns.Auth != nil {
		opts = append(opts, `auth: { /* see "Auth payload" */ }`)
	}
	url := origin + nsp
	if url == "" {
		url = "/"
	}
	call := fmt.Sprintf("const socket = io(%q", url)
	if len(opts) > 0 {
		call += ", { " + strings.Join(opts, ", ") + " }"
	}
	return call + ");"
}

func jsKey(k string) string {
	for i, r := range k {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Sprintf("%q", k)
		}
	}
	return k
}

// substitute replaces {variable} with the server variable's default value.
func substitute(s string, vars []variable) string {
	for _, v := range vars {
		if v.Default != "" {
			s = strings.ReplaceAll(s, "{"+v.Name+"}", v.Default)
		}
	}
	return s
}
