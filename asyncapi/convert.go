package asyncapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConvertOptions configures [Convert].
type ConvertOptions struct {
	// To is the target version; "" and "3.0" mean "3.0.0", the only one supported.
	To string
	// Format is "yaml" (the zero value) or "json".
	Format string
}

// ErrConvert is wrapped by conversion errors.
var ErrConvert = errors.New("asyncapi: convert")

// Convert rewrites a loaded 2.x document as AsyncAPI 3.0.0: each channel key
// becomes a channel with that address (its id made from the key: "/" is
// "root", "/admin" is "admin"), publish becomes an operation with action
// receive and subscribe one with action send, each message of an operation
// is listed in its channel's messages, an x-ack (Asynction's {args: schema}
// or a bare schema) becomes the operation's reply (an operation whose oneOf
// messages carry acks is split into one operation per message), server urls
// become host and pathname, security requirements become references, and
// extensions (x-handlers, x-security, x-handler...) are kept. Key order and
// comments of the source are kept where the structure allows it.
//
// The input document must be valid ([Load] returned no error); Convert does
// not modify it.
func Convert(doc *Document, opts ConvertOptions) ([]byte, error) {
	switch opts.To {
	case "", "3", "3.0", "3.0.0":
	default:
		return nil, fmt.Errorf("%w: unsupported target version %q (only 3.0 is supported)", ErrConvert, opts.To)
	}
	if doc == nil || doc.main == nil || doc.main.node == nil || len(doc.main.node.Content) == 0 {
		return nil, fmt.Errorf("%w: no document", ErrConvert)
	}
	if !strings.HasPrefix(doc.Version, "2.") {
		return nil, fmt.Errorf("%w: document is AsyncAPI %s; only 2.x documents are converted", ErrConvert, doc.Version)
	}
	c := &conv{doc: doc, src: resolveAliases(doc.main.node.Content[0]), chanIDs: map[string]string{}}
	out, err := c.convert()
	if err != nil {
		return nil, err
	}
	switch opts.Format {
	case "", "yaml":
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(out); err != nil {
			return nil, fmt.Errorf("%w: encode yaml: %w", ErrConvert, err)
		}
		return b.Bytes(), nil
	case "json":
		var b bytes.Buffer
		if err := writeJSON(&b, out); err != nil {
			return nil, fmt.Errorf("%w: encode json: %w", ErrConvert, err)
		}
		var ind bytes.Buffer
		if err := json.Indent(&ind, b.Bytes(), "", "  "); err != nil {
			return nil, fmt.Errorf("%w: encode json: %w", ErrConvert, err)
		}
		ind.WriteByte('\n')
		return ind.Bytes(), nil
	}
	return nil, fmt.Errorf("%w: unknown format %q (yaml or json)", ErrConvert, opts.Format)
}

type conv struct {
	doc     *Document
	src     *yaml.Node
	chanIDs map[string]string // 2.x channel key -> 3.0 channel id
	out     *yaml.Node
	comps   *yaml.Node
}

// resolveAliases returns a deep copy of n with aliases replaced by copies of
// their targets and merge keys applied.
func resolveAliases(n *yaml.Node) *yaml.Node {
	return deepCopy(n, 0)
}

func deepCopy(n *yaml.Node, depth int) *yaml.Node {
	if n == nil || depth > 512 {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return deepCopy(n.Alias, depth+1)
	}
	cp := *n
	cp.Anchor = ""
	cp.Content = nil
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				mv := deepCopy(v, depth+1)
				var maps []*yaml.Node
				if mv != nil && mv.Kind == yaml.MappingNode {
					maps = []*yaml.Node{mv}
				} else if mv != nil && mv.Kind == yaml.SequenceNode {
					maps = mv.Content
				}
				for _, m := range maps {
					for j := 0; j+1 < len(m.Content); j += 2 {
						if ymGet(n, m.Content[j].Value) == nil && ymGet(&cp, m.Content[j].Value) == nil {
							cp.Content = append(cp.Content, m.Content[j], m.Content[j+1])
						}
					}
				}
				continue
			}
			cp.Content = append(cp.Content, deepCopy(k, depth+1), deepCopy(v, depth+1))
		}
		return &cp
	}
	for _, c := range n.Content {
		cp.Content = append(cp.Content, deepCopy(c, depth+1))
	}
	return &cp
}

func ymGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func ymSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, ystr(key), v)
}

func ymDel(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return v
		}
	}
	return nil
}

func ymKeys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var ks []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		ks = append(ks, m.Content[i].Value)
	}
	return ks
}

func ystr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func ymap() *yaml.Node         { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }
func yseq() *yaml.Node         { return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"} }
func yref(ptr string) *yaml.Node {
	m := ymap()
	ymSet(m, "$ref", ystr("#"+ptr))
	return m
}

func ymStr(m *yaml.Node, key string) string {
	if v := ymGet(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.\-]+`)

func (c *conv) convert() (*yaml.Node, error) {
	src := c.src
	out := ymap()
	out.HeadComment = src.HeadComment
	c.out = out
	ymSet(out, "asyncapi", ystr("3.0.0"))
	if v := ymGet(src, "id"); v != nil {
		ymSet(out, "id", v)
	}
	info := ymGet(src, "info")
	if info == nil {
		info = ymap()
	}
	// 3.0 moved the root tags and externalDocs into info
	for _, k := range []string{"tags", "externalDocs"} {
		if v := ymGet(src, k); v != nil {
			ymSet(info, k, v)
		}
	}
	ymSet(out, "info", info)
	if v := ymGet(src, "defaultContentType"); v != nil {
		ymSet(out, "defaultContentType", v)
	}
	c.comps = ymGet(src, "components")
	if servers := ymGet(src, "servers"); servers != nil {
		ymSet(out, "servers", c.servers(servers))
	}
	// channel ids first, so references can be rewritten
	channels := ymGet(src, "channels")
	used := map[string]bool{}
	for _, key := range ymKeys(channels) {
		id := channelID(key)
		for n := 2; used[id]; n++ {
			id = channelID(key) + strconv.Itoa(n)
		}
		used[id] = true
		c.chanIDs[key] = id
	}
	c.comps = ymGet(src, "components")
	outChannels, outOps := ymap(), ymap()
	for _, key := range ymKeys(channels) {
		if err := c.channel(key, ymGet(channels, key), outChannels, outOps); err != nil {
			return nil, err
		}
	}
	if len(outChannels.Content) > 0 {
		ymSet(out, "channels", outChannels)
	}
	if len(outOps.Content) > 0 {
		ymSet(out, "operations", outOps)
	}
	if c.comps != nil {
		ymSet(out, "components", c.components(c.comps))
	}
	for _, k := range ymKeys(src) {
		if strings.HasPrefix(k, "x-") {
			ymSet(out, k, ymGet(src, k))
		}
	}
	return out, nil
}

func channelID(key string) string {
	t := strings.Trim(key, "/")
	if t == "" {
		return "root"
	}
	t = idUnsafe.ReplaceAllString(strings.ReplaceAll(t, "/", "_"), "_")
	if t == "" {
		return "channel"
	}
	return t
}

func (c *conv) servers(servers *yaml.Node) *yaml.Node {
	out := ymap()
	for _, name := range ymKeys(servers) {
		s := ymGet(servers, name)
		if s.Kind != yaml.MappingNode || ymGet(s, "$ref") != nil {
			ymSet(out, name, s)
			continue
		}
		ns := ymap()
		rawURL := ymStr(s, "url")
		host, path := rawURL, ""
		if i := strings.Index(host, "://"); i >= 0 {
			host = host[i+3:]
		}
		if i := strings.Index(host, "/"); i >= 0 {
			host, path = host[:i], host[i:]
		}
		for _, k := range ymKeys(s) {
			v := ymGet(s, k)
			switch k {
			case "url":
				ymSet(ns, "host", ystr(host))
				if path != "" && path != "/" {
					ymSet(ns, "pathname", ystr(path))
				}
			case "security":
				ymSet(ns, "security", c.security(v))
			default:
				ymSet(ns, k, v)
			}
		}
		out.Content = append(out.Content, ystr(name), ns)
	}
	return out
}

// security turns [{name: [scopes]}] into a list of references (inline
// copies with scopes when scopes are asked for).
func (c *conv) security(list *yaml.Node) *yaml.Node {
	out := yseq()
	if list == nil || list.Kind != yaml.SequenceNode {
		return out
	}
	for _, req := range list.Content {
		for _, name := range ymKeys(req) {
			scopes := ymGet(req, name)
			if scopes == nil || len(scopes.Content) == 0 {
				out.Content = append(out.Content, yref("/components/securitySchemes/"+escapePtr(name)))
				continue
			}
			def := deepCopy(c.scheme(ymGet(ymGet(c.comps, "securitySchemes"), name)), 0)
			if def == nil {
				def = ymap()
			}
			ymSet(def, "scopes", scopes)
			out.Content = append(out.Content, def)
		}
	}
	return out
}

// scheme converts a security scheme: oauth2 flow "scopes" are "availableScopes" in 3.0.
func (c *conv) scheme(s *yaml.Node) *yaml.Node {
	if s == nil || s.Kind != yaml.MappingNode || ymGet(s, "$ref") != nil {
		return s
	}
	s = deepCopy(s, 0)
	if flows := ymGet(s, "flows"); flows != nil {
		for _, f := range ymKeys(flows) {
			fl := ymGet(flows, f)
			if sc := ymDel(fl, "scopes"); sc != nil {
				ymSet(fl, "availableScopes", sc)
			}
		}
	}
	return s
}

// resolveLocal follows a local $ref inside the source tree.
func (c *conv) resolveLocal(n *yaml.Node) (*yaml.Node, string) {
	ptr := ""
	for i := 0; i < 16 && n != nil; i++ {
		ref := ymStr(n, "$ref")
		if ref == "" || !strings.HasPrefix(ref, "#/") {
			return n, ptr
		}
		ptr = ref[1:]
		n = c.src
		for _, tok := range strings.Split(ptr[1:], "/") {
			tok = unescapePtr(tok)
			switch {
			case n != nil && n.Kind == yaml.MappingNode:
				n = ymGet(n, tok)
			case n != nil && n.Kind == yaml.SequenceNode:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(n.Content) {
					return nil, ptr
				}
				n = n.Content[i]
			default:
				return nil, ptr
			}
		}
	}
	return n, ptr
}

type convMsg struct {
	key    string     // key in the 3.0 channel's messages
	node   *yaml.Node // what goes into channel.messages (a $ref or an inline message)
	ack    *yaml.Node // the x-ack schema, nil when none
	hasAck bool
	name   string
}

func (c *conv) channel(key string, ch *yaml.Node, outChannels, outOps *yaml.Node) error {
	id := c.chanIDs[key]
	chRes, _ := c.resolveLocal(ch)
	if chRes == nil || chRes.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: channel %q is not an object", ErrConvert, key)
	}
	nc := ymap()
	nc.HeadComment = ch.HeadComment
	ymSet(nc, "address", ystr(key))
	messages := ymap()
	msgKeys := map[string]bool{}
	type convOp struct {
		action string
		op     *yaml.Node
		msgs   []convMsg
	}
	var ops []convOp
	for _, opKey := range []string{"publish", "subscribe"} {
		op, _ := c.resolveLocal(ymGet(chRes, opKey))
		if op == nil {
			continue
		}
		action := "receive"
		if opKey == "subscribe" {
			action = "send"
		}
		cop := convOp{action: action, op: op}
		msg := ymGet(op, "message")
		var items []*yaml.Node
		if mres, _ := c.resolveLocal(msg); mres != nil && ymGet(mres, "oneOf") != nil {
			items = ymGet(mres, "oneOf").Content
		} else if msg != nil {
			items = []*yaml.Node{msg}
		}
		for i, it := range items {
			m, ptr := c.resolveLocal(it)
			if m == nil || m.Kind != yaml.MappingNode {
				return fmt.Errorf("%w: channel %q %s message %d cannot be resolved", ErrConvert, key, opKey, i)
			}
			cm := convMsg{name: ymStr(m, "name")}
			if k, ok := strings.CutPrefix(ptr, "/components/messages/"); ok && !strings.Contains(k, "/") {
				cm.key = unescapePtr(k)
				cm.node = yref(ptr)
			} else {
				cm.key = ymStr(m, "messageId")
				if cm.key == "" {
					cm.key = cm.name
				}
				if cm.key == "" {
					cm.key = id + strings.ToUpper(opKey[:1]) + opKey[1:] + "Message"
				}
				cm.key = idUnsafe.ReplaceAllString(cm.key, "_")
				cm.node = c.message(m)
			}
			if a := ymGet(m, "x-ack"); a != nil {
				cm.hasAck = true
				ar, _ := c.resolveLocal(a)
				if args := ymGet(ar, "args"); args != nil {
					cm.ack = args
				} else if ar != nil && len(ar.Content) > 0 {
					cm.ack = ar
				}
			}
			base := cm.key
			for n := 2; msgKeys[cm.key] && ymGet(messages, cm.key) != nil && !sameRef(ymGet(messages, cm.key), cm.node); n++ {
				cm.key = base + strconv.Itoa(n)
			}
			if !msgKeys[cm.key] {
				msgKeys[cm.key] = true
				ymSet(messages, cm.key, cm.node)
			}
			cop.msgs = append(cop.msgs, cm)
		}
		ops = append(ops, cop)
	}
	// channel fields, in source order
	for _, k := range ymKeys(chRes) {
		v := ymGet(chRes, k)
		switch k {
		case "publish", "subscribe", "servers":
			if k == "servers" {
				list := yseq()
				for _, s := range v.Content {
					list.Content = append(list.Content, yref("/servers/"+escapePtr(s.Value)))
				}
				ymSet(nc, "servers", list)
			}
		case "parameters":
			ymSet(nc, "parameters", c.parameters(v))
		case "x-security":
			ymSet(nc, k, v)
		default:
			ymSet(nc, k, v)
		}
	}
	for _, op := range ops {
		c.operations(id, op.action, op.op, op.msgs, messages, outOps)
	}
	if len(messages.Content) > 0 {
		// keep address first, messages second
		rest := nc.Content[2:]
		nc.Content = append([]*yaml.Node{nc.Content[0], nc.Content[1], ystr("messages"), messages}, rest...)
	}
	outChannels.Content = append(outChannels.Content, ystr(id), nc)
	return nil
}

func sameRef(a, b *yaml.Node) bool {
	ra, rb := ymStr(a, "$ref"), ymStr(b, "$ref")
	return ra != "" && ra == rb
}

// message converts an inline 2.x message: schemaFormat moves into a multi
// format payload, messageId is dropped (the key is the id), x-ack is dropped
// (it becomes the operation's reply).
func (c *conv) message(m *yaml.Node) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode || ymGet(m, "$ref") != nil {
		return m
	}
	m = deepCopy(m, 0)
	ymDel(m, "messageId")
	ymDel(m, "x-ack")
	if sf := ymDel(m, "schemaFormat"); sf != nil {
		if p := ymGet(m, "payload"); p != nil {
			if d, err := dialectOfSchemaFormat(sf.Value); err != nil || d != "" {
				mf := ymap()
				ymSet(mf, "schemaFormat", sf)
				ymSet(mf, "schema", p)
				ymSet(m, "payload", mf)
			}
		}
	}
	return m
}

func (c *conv) parameters(ps *yaml.Node) *yaml.Node {
	out := ymap()
	for _, k := range ymKeys(ps) {
		p := ymGet(ps, k)
		if ymGet(p, "$ref") != nil {
			ymSet(out, k, p)
			continue
		}
		np := ymap()
		for _, f := range ymKeys(p) {
			v := ymGet(p, f)
			if f == "schema" {
				sch, _ := c.resolveLocal(v)
				for _, sf := range []string{"enum", "default", "examples"} {
					if x := ymGet(sch, sf); x != nil {
						ymSet(np, sf, x)
					}
				}
				if d := ymGet(sch, "description"); d != nil && ymGet(p, "description") == nil {
					ymSet(np, "description", d)
				}
				continue
			}
			ymSet(np, f, v)
		}
		ymSet(out, k, np)
	}
	return out
}

func (c *conv) operations(chID, action string, op *yaml.Node, msgs []convMsg, messages, outOps *yaml.Node) {
	baseID := ymStr(op, "operationId")
	if baseID == "" {
		baseID = chID + strings.ToUpper(action[:1]) + action[1:]
	}
	anyAck := false
	for _, m := range msgs {
		anyAck = anyAck || m.hasAck
	}
	groups := [][]convMsg{msgs}
	if anyAck && len(msgs) > 1 {
		groups = nil
		for _, m := range msgs {
			groups = append(groups, []convMsg{m})
		}
	}
	for _, g := range groups {
		id := baseID
		if len(groups) > 1 {
			id = baseID + "_" + idUnsafe.ReplaceAllString(g[0].key, "_")
		}
		for n := 2; ymGet(outOps, id) != nil; n++ {
			id = baseID + strconv.Itoa(n)
		}
		no := ymap()
		no.HeadComment = op.HeadComment
		ymSet(no, "action", ystr(action))
		ymSet(no, "channel", yref("/channels/"+escapePtr(chID)))
		list := yseq()
		for _, m := range g {
			list.Content = append(list.Content, yref("/channels/"+escapePtr(chID)+"/messages/"+escapePtr(m.key)))
		}
		if len(list.Content) > 0 {
			ymSet(no, "messages", list)
		}
		for _, k := range ymKeys(op) {
			v := ymGet(op, k)
			switch k {
			case "operationId", "message":
			case "security":
				ymSet(no, "security", c.security(v))
			default:
				ymSet(no, k, v)
			}
		}
		if len(g) == 1 && g[0].hasAck {
			m := g[0]
			reply := ymap()
			if m.ack != nil {
				ackKey := m.key + "Ack"
				am := ymap()
				label := m.name
				if label == "" {
					label = m.key
				}
				ymSet(am, "summary", ystr(fmt.Sprintf("Acknowledgement of %q", label)))
				ymSet(am, "payload", m.ack)
				ymSet(messages, ackKey, am)
				rl := yseq()
				rl.Content = append(rl.Content, yref("/channels/"+escapePtr(chID)+"/messages/"+escapePtr(ackKey)))
				ymSet(reply, "messages", rl)
			}
			ymSet(reply, "channel", yref("/channels/"+escapePtr(chID)))
			ymSet(no, "reply", reply)
		}
		outOps.Content = append(outOps.Content, ystr(id), no)
	}
}

func (c *conv) components(comps *yaml.Node) *yaml.Node {
	out := ymap()
	for _, k := range ymKeys(comps) {
		v := ymGet(comps, k)
		switch k {
		case "messages":
			ms := ymap()
			for _, mk := range ymKeys(v) {
				ms.Content = append(ms.Content, ystr(mk), c.message(ymGet(v, mk)))
			}
			ymSet(out, k, ms)
		case "securitySchemes":
			ss := ymap()
			for _, sk := range ymKeys(v) {
				ss.Content = append(ss.Content, ystr(sk), c.scheme(ymGet(v, sk)))
			}
			ymSet(out, k, ss)
		case "messageTraits":
			ts := ymap()
			for _, tk := range ymKeys(v) {
				t := deepCopy(ymGet(v, tk), 0)
				ymDel(t, "messageId")
				ymDel(t, "schemaFormat")
				ts.Content = append(ts.Content, ystr(tk), t)
			}
			ymSet(out, k, ts)
		case "operationTraits":
			ts := ymap()
			for _, tk := range ymKeys(v) {
				t := deepCopy(ymGet(v, tk), 0)
				ymDel(t, "operationId")
				ts.Content = append(ts.Content, ystr(tk), t)
			}
			ymSet(out, k, ts)
		case "parameters":
			ymSet(out, k, c.parameters(v))
		case "channels":
			// 2.x component channels have no 3.0 equivalent without an address; dropped
		default:
			ymSet(out, k, v)
		}
	}
	return out
}

// writeJSON writes a YAML node tree as JSON, keeping key order.
func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return writeJSON(b, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		switch n.ShortTag() {
		case "!!str", "!!timestamp", "!!binary":
			v = n.Value
		default:
			if err := n.Decode(&v); err != nil {
				v = n.Value
			}
		}
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(data)
	}
	return nil
}
