package asyncapi

import (
	"fmt"
	"strings"
)

// build2 builds the model of a 2.x document.
func (l *loader) build2(root node, sc *schemaCompiler) {
	doc := l.doc
	servers := root.get("servers")
	var serverSec []SecurityRequirement
	for _, name := range servers.keys() {
		n := l.deref(servers.get(name))
		if n.obj() == nil {
			continue
		}
		rawURL := n.str("url")
		s := l.server(name, n, rawURL, n.str("protocol"))
		l.checkServerVariables(n, "url", rawURL)
		s.Security = l.security2(n.get("security"))
		if serverSec == nil && len(s.Security) > 0 {
			serverSec = s.Security
		}
		doc.Servers = append(doc.Servers, s)
	}
	opIDs := map[string]node{}
	msgIDs := map[string]node{}
	channels := root.get("channels")
	for _, key := range channels.keys() {
		ch := l.deref(channels.get(key))
		if ch.obj() == nil {
			continue
		}
		l.checkChannelAddress(channels.get(key), key)
		l.checkChannelParameters(ch, key)
		l.checkChannelServers(ch)
		ns := l.namespaceFor(normalizeNamespace(key), channels.get(key))
		l.channelCommon(ns, ch, sc, false)
		if !ns.OwnSecurity {
			ns.Security = serverSec
		}
		for _, op := range []struct {
			key string
			dir Direction
		}{{"publish", ClientToServer}, {"subscribe", ServerToClient}} {
			o := l.deref(ch.get(op.key))
			if o.obj() == nil {
				continue
			}
			traits := l.traits(o.get("traits"))
			opID, _ := field(o, traits, "operationId", false).v.(string)
			if opID != "" {
				if prev, dup := opIDs[opID]; dup {
					l.add(o.src, o.get("operationId").ptr, SeverityError, "duplicate-operation-id",
						fmt.Sprintf("operationId %q is already used at line %d", opID, prev.src.position(prev.ptr).Line), "operationId must be unique across operations")
					l.add(prev.src, prev.ptr, SeverityError, "duplicate-operation-id",
						fmt.Sprintf("operationId %q is used again at line %d", opID, o.src.position(o.get("operationId").ptr).Line), "operationId must be unique across operations")
				} else {
					opIDs[opID] = o.get("operationId")
				}
			}
			l.security2(o.get("security"))
			m := field(o, traits, "message", false)
			mt := l.deref(m)
			var msgs []node
			if oneOf := mt.get("oneOf"); oneOf.src != nil {
				items, _ := oneOf.v.([]any)
				for i := range items {
					it := oneOf.idx(i)
					if s, ok := it.v.(string); ok {
						l.add(it.src, it.ptr, SeverityError, "message-ref-string",
							fmt.Sprintf("oneOf item %d is the string %q, not a message; sockspec does not guess that it is a reference", i, s),
							fmt.Sprintf(`write it as a Reference Object: - $ref: %q`, s))
						continue
					}
					if t := l.deref(it); t.obj() != nil {
						msgs = append(msgs, t)
					}
				}
			} else if mt.obj() != nil {
				msgs = append(msgs, mt)
			}
			for _, msg := range msgs {
				key := ""
				if k, ok := strings.CutPrefix(msg.ptr, "/components/messages/"); ok && !strings.Contains(k, "/") {
					key = unescapePtr(k)
				}
				if id, ok := msg.get("messageId").v.(string); ok {
					if prev, dup := msgIDs[id]; dup && (prev.src != msg.src || prev.ptr != msg.get("messageId").ptr) {
						l.add(msg.src, msg.get("messageId").ptr, SeverityError, "duplicate-message-id",
							fmt.Sprintf("messageId %q is already used at line %d", id, prev.src.position(prev.ptr).Line), "messageId must be unique across messages")
						l.add(prev.src, prev.ptr, SeverityError, "duplicate-message-id",
							fmt.Sprintf("messageId %q is used again at line %d", id, msg.src.position(msg.get("messageId").ptr).Line), "messageId must be unique across messages")
					} else {
						msgIDs[id] = msg.get("messageId")
					}
				}
				ev := l.event(msg, key, op.dir, sc, false)
				if ev == nil {
					continue
				}
				ev.Operation = opID
				if h, ok := field(o, traits, "x-handler", false).v.(string); ok && ev.Handler == "" {
					ev.Handler = h
				}
				ns.Events = append(ns.Events, ev)
			}
		}
	}
	// messages defined in components but not used by a channel still get their
	// schemas compiled and examples checked
	comps := l.deref(root.get("components"))
	for _, k := range comps.get("messages").keys() {
		msg := l.deref(comps.get("messages").get(k))
		if msg.obj() != nil && !l.usedMessage(msg) {
			l.event(msg, k, ClientToServer, sc, false)
		}
	}
}

func (l *loader) usedMessage(msg node) bool {
	for _, ns := range l.doc.Namespaces {
		for _, e := range ns.Events {
			if e.Location.File == msg.src.name && e.Location.Pointer == msg.ptr {
				return true
			}
		}
	}
	return false
}

var paramRe = varRe

// checkChannelParameters: every {param} of a 2.x channel key is defined and every parameter used.
func (l *loader) checkChannelParameters(ch node, key string) {
	used := map[string]bool{}
	params := ch.get("parameters")
	for _, m := range paramRe.FindAllStringSubmatch(key, -1) {
		used[m[1]] = true
		if params.get(m[1]).src == nil {
			l.add(ch.src, ch.ptr, SeverityError, "channel-parameter-undefined",
				fmt.Sprintf("channel %q uses parameter {%s}, which its parameters do not define", key, m[1]), "")
		}
	}
	for _, k := range params.keys() {
		if !used[k] {
			l.add(params.src, params.get(k).ptr, SeverityError, "channel-parameter-unused",
				fmt.Sprintf("channel parameter %q does not appear in the channel address %q", k, key), "")
		}
	}
}

// checkChannelServers: names listed in a 2.x channel's servers exist.
func (l *loader) checkChannelServers(ch node) {
	list := ch.get("servers")
	items, _ := list.v.([]any)
	root := node{l.doc.main, "", l.doc.main.root}
	for i := range items {
		name, _ := items[i].(string)
		if root.get("servers").get(name).src == nil {
			l.add(list.src, list.idx(i).ptr, SeverityError, "undefined-server",
				fmt.Sprintf("channel lists server %q, which the servers object does not define", name), "")
		}
	}
}
