package asyncapi

import (
	"fmt"
	"strings"
)

// build3 builds the model of a 3.x document.
func (l *loader) build3(root node, sc *schemaCompiler) {
	doc := l.doc
	servers := root.get("servers")
	var serverSec []SecurityRequirement
	for _, name := range servers.keys() {
		n := l.deref(servers.get(name))
		if n.obj() == nil {
			continue
		}
		host, path := n.str("host"), n.str("pathname")
		s := l.server(name, n, host+path, n.str("protocol"))
		l.checkServerVariables(n, "host", host+path)
		s.Security = l.security3(n.get("security"))
		if serverSec == nil && len(s.Security) > 0 {
			serverSec = s.Security
		}
		doc.Servers = append(doc.Servers, s)
	}
	// channels: each becomes (or joins) the namespace of its address
	chNS := map[string]*Namespace{} // resolved channel location -> namespace
	channels := root.get("channels")
	for _, key := range channels.keys() {
		raw := channels.get(key)
		ch := l.deref(raw)
		if ch.obj() == nil {
			continue
		}
		addr, ok := ch.get("address").v.(string)
		if !ok {
			addr = key
			l.add(ch.src, ch.ptr, SeverityWarning, "channel-without-address",
				fmt.Sprintf("channel %q has no address; sockspec uses its key as the namespace %q", key, normalizeNamespace(key)), "add address: /"+strings.TrimPrefix(key, "/"))
		} else {
			l.checkChannelAddress(ch.get("address"), addr)
		}
		l.checkServerRefs(ch)
		ns := l.namespaceFor(normalizeNamespace(addr), raw)
		l.channelCommon(ns, ch, sc, true)
		if !ns.OwnSecurity {
			ns.Security = serverSec
		}
		chNS[ch.src.url+"#"+ch.ptr] = ns
	}
	ops := root.get("operations")
	for _, key := range ops.keys() {
		o := l.deref(ops.get(key))
		if o.obj() == nil {
			continue
		}
		traits := l.traits(o.get("traits"))
		action, _ := field(o, traits, "action", true).v.(string)
		var dir Direction
		switch action {
		case "receive":
			dir = ClientToServer
		case "send":
			dir = ServerToClient
		default:
			continue // structural validation reports it
		}
		chRefNode := field(o, traits, "channel", true)
		chRef, _ := chRefNode.get("$ref").v.(string)
		if chRefNode.src != nil && !strings.HasPrefix(chRef, "#/channels/") {
			at := chRefNode.ptr
			if chRefNode.get("$ref").src != nil {
				at += "/$ref"
			}
			l.add(chRefNode.src, at, SeverityError, "operation-channel-ref",
				fmt.Sprintf("operation %q must reference a channel under the root channels object (got %q)", key, chRef), `channel: {$ref: "#/channels/<name>"}`)
			continue
		}
		ch := l.deref(chRefNode)
		if ch.obj() == nil {
			continue
		}
		ns := chNS[ch.src.url+"#"+ch.ptr]
		if ns == nil {
			continue
		}
		chMsgs := l.channelMessages(ch)
		var msgs []msgRef
		if list := field(o, traits, "messages", true); list.src != nil {
			items, _ := list.v.([]any)
			for i := range items {
				it := list.idx(i)
				t := l.deref(it)
				if t.obj() == nil {
					continue
				}
				found := false
				name := ""
				for _, cm := range chMsgs {
					if cm.n.src == t.src && cm.n.ptr == t.ptr {
						found, name = true, cm.key
						break
					}
				}
				if !found {
					ref, _ := it.get("$ref").v.(string)
					l.add(it.src, it.ptr, SeverityError, "operation-message-not-in-channel",
						fmt.Sprintf("operation %q lists message %q, which is not a message of its channel %q", key, ref, strings.TrimPrefix(chRef, "#/channels/")),
						"reference the message through the channel: $ref: '"+chRef+"/messages/<name>'")
					continue
				}
				msgs = append(msgs, msgRef{name, t})
			}
		} else {
			msgs = chMsgs
		}
		var ack *Ack
		if r := l.deref(field(o, traits, "reply", true)); r.obj() != nil {
			ack = l.reply(key, r, ch, sc)
		}
		handler, _ := field(o, traits, "x-handler", true).v.(string)
		for _, m := range msgs {
			ev := l.event(m.n, m.key, dir, sc, true)
			if ev == nil {
				continue
			}
			ev.Operation = key
			if handler != "" && ev.Handler == "" {
				ev.Handler = handler
			}
			if ack != nil {
				if ev.Ack != nil {
					l.add(m.n.src, m.n.ptr, SeverityWarning, "ack-twice",
						fmt.Sprintf("event %q has both x-ack and an operation reply; sockspec uses the reply", ev.Name), "")
				}
				ev.Ack = ack
			}
			ns.Events = append(ns.Events, ev)
		}
	}
	comps := l.deref(root.get("components"))
	for _, k := range comps.get("messages").keys() {
		msg := l.deref(comps.get("messages").get(k))
		if msg.obj() != nil && !l.usedMessage(msg) {
			l.event(msg, k, ClientToServer, sc, true)
		}
	}
}

type msgRef struct {
	key string
	n   node
}

func (l *loader) channelMessages(ch node) []msgRef {
	key := ch.src.url + "#" + ch.ptr
	if out, ok := l.chanMsgs[key]; ok {
		return out
	}
	if l.chanMsgs == nil {
		l.chanMsgs = map[string][]msgRef{}
	}
	out := l.channelMessagesUncached(ch)
	l.chanMsgs[key] = out
	return out
}

func (l *loader) channelMessagesUncached(ch node) []msgRef {
	var out []msgRef
	ms := ch.get("messages")
	for _, k := range ms.keys() {
		if t := l.deref(ms.get(k)); t.obj() != nil {
			out = append(out, msgRef{k, t})
		}
	}
	return out
}

// reply turns a 3.x operation reply into the event's ack.
func (l *loader) reply(op string, r, ch node, sc *schemaCompiler) *Ack {
	if rc := r.get("channel"); rc.src != nil {
		t := l.deref(rc)
		if t.obj() != nil {
			a1, _ := t.get("address").v.(string)
			a2, _ := ch.get("address").v.(string)
			if (t.src != ch.src || t.ptr != ch.ptr) && a1 != a2 {
				l.add(rc.src, rc.ptr, SeverityError, "reply-channel-mismatch",
					fmt.Sprintf("the reply of operation %q is on channel address %q but the operation is on %q; a Socket.IO ack always travels back in the operation's namespace", op, a1, a2),
					"omit reply.channel or point it at the operation's channel")
			}
		}
	}
	if ra := r.get("address"); ra.src != nil {
		l.add(ra.src, ra.ptr, SeverityWarning, "reply-address-ignored",
			fmt.Sprintf("the reply of operation %q has an address; Socket.IO acks have none, so it is ignored", op), "")
	}
	ack := &Ack{Source: "reply", Location: r.loc()}
	list := r.get("messages")
	items, _ := list.v.([]any)
	var msgs []node
	for i := range items {
		if t := l.deref(list.idx(i)); t.obj() != nil {
			msgs = append(msgs, t)
		}
	}
	if list.src == nil {
		// no messages: the reply channel's messages, else an ack without arguments
		if t := l.deref(r.get("channel")); t.obj() != nil {
			for _, m := range l.channelMessages(t) {
				msgs = append(msgs, m.n)
			}
		}
	}
	if len(msgs) == 0 {
		return ack
	}
	if len(msgs) > 1 {
		l.add(list.src, list.ptr, SeverityWarning, "reply-several-messages",
			fmt.Sprintf("the reply of operation %q lists %d messages; a Socket.IO ack has one shape, sockspec uses the first", op, len(msgs)), "")
	}
	m := msgs[0]
	payload := m.get("payload")
	dialect := ""
	if p := l.deref(payload); p.get("schemaFormat").src != nil && p.get("schema").src != nil {
		f, _ := p.get("schemaFormat").v.(string)
		d, err := dialectOfSchemaFormat(f)
		if err != nil {
			l.add(p.src, p.get("schemaFormat").ptr, SeverityError, "unsupported-schema-format", err.Error(), "")
			return ack
		}
		dialect, payload = d, p.get("schema")
	}
	if payload.src != nil {
		ack.Payload = sc.compile(payload, dialect, fmt.Sprintf("reply payload of operation %q", op))
		ack.Arity = l.arityOf(payload, dialect)
	}
	return ack
}

// checkServerRefs: a 3.x channel's servers reference root servers.
func (l *loader) checkServerRefs(ch node) {
	list := ch.get("servers")
	items, _ := list.v.([]any)
	for i := range items {
		it := list.idx(i)
		ref, _ := it.get("$ref").v.(string)
		if !strings.HasPrefix(ref, "#/servers/") {
			l.add(it.src, it.ptr, SeverityError, "channel-server-ref",
				fmt.Sprintf("channel servers must reference servers under the root servers object (got %q)", ref), `- $ref: "#/servers/<name>"`)
		}
	}
}
