package sockspec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/internal/coerce"
	"github.com/sockspec/sockspec/socketio"
)

// Namespace is a namespace of a [Server], where handlers and hooks are
// registered before Start. Registration panics on a duplicate and after
// Start. Its methods are safe for concurrent use.
type Namespace struct {
	srv  *Server
	name string
	spec *asyncapi.Namespace // nil: not in the document
	sio  *socketio.Namespace // nil when spec is nil

	handlers     map[string]eventFunc
	typed        map[string][2]*argCodec // payload and ack codecs of typed handlers
	onConnect    func(context.Context, *socketio.Socket)
	onDisconnect func(context.Context, *socketio.Socket, socketio.DisconnectReason)
	onError      func(context.Context, *socketio.Socket, error)
	mws          []socketio.Middleware

	// built by Start, read-only afterwards
	in          map[string]*route
	out         map[string]*outEvent
	security    []asyncapi.SecurityRequirement
	query       *coerce.Plan
	headers     *coerce.Plan
	method      string
	auth        *checker
	hasSecurity bool
}

// route serves one documented client→server event.
type route struct {
	n   *Namespace
	ev  *asyncapi.Event
	in  *checker // the client's payload
	ack *checker // the server's ack
	h   eventFunc
}

// outEvent is a documented server→client event.
type outEvent struct {
	payload *checker
	ack     *checker // the client's ack
}

// Name returns the namespace's name, such as "/" or "/admin".
func (n *Namespace) Name() string { return n.name }

// SocketIO returns the underlying Socket.IO namespace (nil when the document
// does not have this namespace). Emits made on it directly, and the acks
// clients return to them, are validated like sockspec's own (see
// [Server.SocketIO]).
func (n *Namespace) SocketIO() *socketio.Namespace { return n.sio }

// On registers a raw handler for event. The arguments it receives have been
// validated; the ack it returns is validated against the event's ack.
func (n *Namespace) On(event string, h socketio.Handler) {
	if h == nil {
		panic("sockspec: nil handler for event " + quote(event))
	}
	n.on(event, rawFunc(h))
}

func (n *Namespace) on(event string, h eventFunc) {
	n.srv.mu.Lock()
	defer n.srv.mu.Unlock()
	n.checkOpen("handler for event " + quote(event))
	if _, dup := n.handlers[event]; dup {
		panic(fmt.Sprintf("sockspec: namespace %s: event %q already has a handler", n.name, event))
	}
	n.handlers[event] = h
}

func (n *Namespace) checkOpen(what string) {
	if n.srv.started {
		panic(fmt.Sprintf("sockspec: namespace %s: %s registered after Start", n.name, what))
	}
}

// OnConnect sets the connect hook (x-handlers connect), called for each socket
// that joined the namespace, after the handshake checks, security and
// middlewares passed. ctx carries the principal ([PrincipalFrom]).
func (n *Namespace) OnConnect(fn func(ctx context.Context, s *socketio.Socket)) {
	n.srv.mu.Lock()
	defer n.srv.mu.Unlock()
	n.checkOpen("connect hook")
	if n.onConnect != nil {
		panic("sockspec: namespace " + n.name + ": connect hook set twice")
	}
	n.onConnect = fn
}

// OnDisconnect sets the disconnect hook (x-handlers disconnect), called once
// per socket that leaves, with the reason. Its ctx keeps the socket's values
// but is not cancelled, so the hook can still emit to others.
func (n *Namespace) OnDisconnect(fn func(ctx context.Context, s *socketio.Socket, reason socketio.DisconnectReason)) {
	n.srv.mu.Lock()
	defer n.srv.mu.Unlock()
	n.checkOpen("disconnect hook")
	if n.onDisconnect != nil {
		panic("sockspec: namespace " + n.name + ": disconnect hook set twice")
	}
	n.onDisconnect = fn
}

// OnError sets the error hook (x-handlers error), called when an incoming
// event is invalid (a *ValidationError), undocumented (Kind
// "unknown_event"), or its handler fails (the handler's error, a recovered
// panic or an invalid ack). The client's error ack is sent whatever the hook
// does. Without a hook, client mistakes are logged at Debug and server
// failures at Error.
func (n *Namespace) OnError(fn func(ctx context.Context, s *socketio.Socket, err error)) {
	n.srv.mu.Lock()
	defer n.srv.mu.Unlock()
	n.checkOpen("error hook")
	if n.onError != nil {
		panic("sockspec: namespace " + n.name + ": error hook set twice")
	}
	n.onError = fn
}

// Use adds a middleware run for each connection to the namespace after the
// handshake checks and security passed. An *Error or *ValidationError it
// returns becomes a CONNECT_ERROR with its message; any other error a
// generic one.
func (n *Namespace) Use(mw socketio.Middleware) {
	n.srv.mu.Lock()
	defer n.srv.mu.Unlock()
	n.checkOpen("middleware")
	n.mws = append(n.mws, mw)
}

// Emit validates and emits an event to every socket of the namespace (see
// [Server.Emit]).
func (n *Namespace) Emit(ctx context.Context, event string, args ...any) error {
	if n.sio == nil {
		return &ValidationError{Namespace: n.name, Event: event, Direction: asyncapi.ServerToClient, Kind: "unknown_event", Message: "namespace " + n.name + " is not in the document"}
	}
	return n.srv.Emit(ctx, n.sio, event, args...)
}

// EmitTo validates an event against this namespace's document and emits it
// to to: a socket of the namespace, the namespace itself or a room selection
// of it (such as s.Broadcast() or ns.SocketIO().To("room")). It returns a
// *ValidationError and sends nothing when the event is invalid, and an error
// when to belongs to another namespace.
func (n *Namespace) EmitTo(ctx context.Context, to socketio.Target, event string, args ...any) error {
	if n.sio == nil {
		return &ValidationError{Namespace: n.name, Event: event, Direction: asyncapi.ServerToClient, Kind: "unknown_event", Message: "namespace " + n.name + " is not in the document"}
	}
	if sns := targetNamespace(to); sns != nil && sns != n.sio {
		return fmt.Errorf("sockspec: EmitTo: target is in namespace %s, not %s", sns.Name(), n.name)
	}
	return n.emit(ctx, to, event, args)
}

// emit emits an event to to; socketio's OnEmit hook (Server.onEmit) validates
// and encodes it once.
func (n *Namespace) emit(ctx context.Context, to socketio.Target, event string, args []any) error {
	return to.Emit(ctx, event, args...)
}

// build prepares the namespace for serving (under srv.mu).
func (n *Namespace) build(used map[string]bool, report, fatal func(error)) {
	s := n.srv
	spec := n.spec
	v := s.cfg.Validation
	n.in = map[string]*route{}
	n.out = map[string]*outEvent{}
	named := func(name string) (any, bool) {
		if name == "" {
			return nil, false
		}
		h, ok := s.named[name]
		if ok {
			used[name] = true
		}
		return h, ok
	}
	for _, ev := range spec.Events {
		switch ev.Direction {
		case asyncapi.ClientToServer:
			r := &route{n: n, ev: ev, h: n.handlers[ev.Name]}
			r.in = newChecker(n.name, ev.Name, asyncapi.ClientToServer, ev.Payload, ev.Arity, false, s.base)
			if ev.Ack != nil {
				r.ack = newChecker(n.name, ev.Name, asyncapi.ServerToClient, ev.Ack.Payload, ev.Ack.Arity, true, s.base)
			} else {
				r.ack = newChecker(n.name, ev.Name, asyncapi.ServerToClient, nil, asyncapi.Arity{}, true, s.base)
			}
			if h, ok := named(ev.Handler); ok {
				if r.h != nil {
					report(fmt.Errorf("namespace %q event %q has a handler and its x-handler %q is registered too", n.name, ev.Name, ev.Handler))
				}
				switch f := h.(type) {
				case socketio.Handler:
					r.h = rawFunc(f)
				case func(context.Context, *socketio.Socket, socketio.Args) ([]any, error):
					r.h = rawFunc(f)
				case typedHandler:
					r.h = f.erase()
					if n.typed == nil {
						n.typed = map[string][2]*argCodec{}
					}
					p, a := f.codecs()
					n.typed[ev.Name] = [2]*argCodec{p, a}
				default:
					report(fmt.Errorf("namespace %q event %q: x-handler %q is registered as %T, not an event handler", n.name, ev.Name, ev.Handler, h))
				}
			}
			if r.h == nil {
				if ev.Handler != "" {
					report(fmt.Errorf("namespace %q event %q has no handler (x-handler %q is not registered)", n.name, ev.Name, ev.Handler))
				} else {
					report(fmt.Errorf("namespace %q event %q has no handler", n.name, ev.Name))
				}
			}
			if c, ok := n.typed[ev.Name]; ok && r.h != nil {
				n.checkTypes(ev, c[0], c[1], report)
			}
			n.in[ev.Name] = r
		case asyncapi.ServerToClient:
			o := &outEvent{payload: newChecker(n.name, ev.Name, asyncapi.ServerToClient, ev.Payload, ev.Arity, false, s.base)}
			if ev.Ack != nil {
				o.ack = newChecker(n.name, ev.Name, asyncapi.ClientToServer, ev.Ack.Payload, ev.Ack.Arity, true, s.base)
			} else {
				o.ack = newChecker(n.name, ev.Name, asyncapi.ClientToServer, nil, asyncapi.Arity{Kind: asyncapi.ArityNone}, true, s.base)
				o.ack.arity = asyncapi.Arity{Kind: asyncapi.ArityNone, Min: 0, Max: -1} // undocumented ack: anything
				o.ack.schema = nil
			}
			n.out[ev.Name] = o
		}
	}
	for event := range n.handlers {
		if _, ok := n.in[event]; !ok {
			what := "is not in the document"
			if spec.Event(asyncapi.ServerToClient, event) != nil {
				what = "is documented as sent by the server, not received"
			}
			report(fmt.Errorf("namespace %q: handler for event %q, which %s", n.name, event, what))
		}
	}
	hooks := []struct {
		name, what string
		set        func(any) bool
	}{
		{spec.Handlers.Connect, "connect", func(h any) bool {
			f, ok := h.(func(context.Context, *socketio.Socket))
			if ok && n.onConnect == nil {
				n.onConnect = f
			}
			return ok
		}},
		{spec.Handlers.Disconnect, "disconnect", func(h any) bool {
			f, ok := h.(func(context.Context, *socketio.Socket, socketio.DisconnectReason))
			if ok && n.onDisconnect == nil {
				n.onDisconnect = f
			}
			return ok
		}},
		{spec.Handlers.Error, "error", func(h any) bool {
			f, ok := h.(func(context.Context, *socketio.Socket, error))
			if ok && n.onError == nil {
				n.onError = f
			}
			return ok
		}},
	}
	for _, hk := range hooks {
		if hk.name == "" {
			continue
		}
		h, ok := named(hk.name)
		if !ok {
			report(fmt.Errorf("namespace %q: x-handlers %s %q is not registered", n.name, hk.what, hk.name))
			continue
		}
		if !hk.set(h) {
			report(fmt.Errorf("namespace %q: x-handlers %s %q is registered as %T", n.name, hk.what, hk.name, h))
		}
	}

	for _, r := range n.in {
		r.in.fast, r.ack.fast = s.fastOf(r.in.schema), s.fastOf(r.ack.schema)
	}
	for _, o := range n.out {
		o.payload.fast, o.ack.fast = s.fastOf(o.payload.schema), s.fastOf(o.ack.schema)
	}

	// handshake
	if !v.SkipHandshake {
		resolve := n.resolver()
		if q := spec.Bindings.Query; q != nil && q.Compiled != nil {
			n.query = coerce.NewPlan(q.Raw, resolve)
		}
		if h := spec.Bindings.Headers; h != nil && h.Compiled != nil {
			n.headers = coerce.NewPlan(h.Raw, resolve)
		}
		n.method = strings.ToUpper(spec.Bindings.Method)
		if n.method != "" {
			s.needMethod = true
		}
	}
	if _, ok := spec.Extensions["x-auth"]; ok && spec.Auth == nil && !v.SkipAuth {
		// asyncapi reports a bad x-auth as an error finding, which New refuses; a
		// hand-built document could still get here, and its auth would go unchecked.
		fatal(fmt.Errorf("namespace %q: x-auth is not a compiled schema (Namespace.Auth is nil)", n.name))
	}
	if spec.Auth != nil && !v.SkipAuth {
		n.auth = newChecker(n.name, "", asyncapi.ClientToServer, spec.Auth, asyncapi.Arity{Kind: asyncapi.ArityOne, Min: 1, Max: 1}, false, s.base)
		n.auth.kind = "auth"
	}
	// security: the namespace's x-security, else the selected server's
	if spec.OwnSecurity {
		n.security = spec.Security
	} else if s.server != nil {
		n.security = s.server.Security
	}
	for _, req := range n.security {
		for _, use := range req.Schemes {
			if use.Scheme == nil {
				report(fmt.Errorf("namespace %q: security scheme %q is not defined", n.name, use.Name))
				continue
			}
			if !supportedScheme(use.Scheme) {
				report(fmt.Errorf("namespace %q: security scheme %q of type %q (%s) cannot be checked by sockspec (supported: http basic/bearer, httpApiKey, oauth2, openIdConnect)", n.name, use.Name, use.Scheme.Type, use.Scheme.Scheme+use.Scheme.In))
			}
			if s.secFuncs[use.Name] == nil {
				report(fmt.Errorf("namespace %q: security scheme %q has no SecurityFunc (Config.Security or HandleNamed)", n.name, use.Name))
			}
		}
	}
	n.hasSecurity = len(n.security) > 0

	// wire into socketio
	sns := n.sio
	sns.Use(n.admit)
	sns.OnConnection(n.connected)
	for name, r := range n.in {
		sns.On(name, r.serve)
	}
	sns.OnAny(n.unknown)
}

// checkTypes reports a typed handler whose Go types cannot carry the
// event's documented arguments or ack.
func (n *Namespace) checkTypes(ev *asyncapi.Event, p, a *argCodec, report func(error)) {
	where := fmt.Sprintf("namespace %q event %q: typed handler", n.name, ev.Name)
	switch {
	case p.kind == codecTuple && ev.Arity.Kind != asyncapi.ArityTuple:
		report(fmt.Errorf("%s takes a Tuple, but the payload is not a tuple (type: array with prefixItems)", where))
	case p.kind != codecTuple && ev.Arity.Kind == asyncapi.ArityTuple:
		report(fmt.Errorf("%s takes one value, but the payload is a tuple of arguments: use a struct embedding sockspec.Tuple", where))
	case p.kind == codecNone && ev.Arity.Kind != asyncapi.ArityNone:
		report(fmt.Errorf("%s takes no payload (NoAck), but the event has one", where))
	case p.kind != codecNone && ev.Arity.Kind == asyncapi.ArityNone:
		report(fmt.Errorf("%s takes a payload, but the event has none (use sockspec.NoAck)", where))
	}
	hasAck := ev.Ack != nil && ev.Ack.Payload != nil
	switch {
	case a.kind == codecNone && hasAck:
		report(fmt.Errorf("%s returns no ack (NoAck), but the event's ack has a payload", where))
	case a.kind != codecNone && !hasAck:
		report(fmt.Errorf("%s returns an ack value, but the event documents no ack payload (use sockspec.NoAck)", where))
	case a.kind == codecTuple && ev.Ack.Arity.Kind != asyncapi.ArityTuple:
		report(fmt.Errorf("%s returns a Tuple, but the ack is not a tuple", where))
	}
}

// resolver follows $ref in binding schemas through the document.
func (n *Namespace) resolver() coerce.Resolver {
	doc := n.srv.doc
	return func(node any) any {
		for range 32 {
			m, ok := node.(map[string]any)
			if !ok {
				return node
			}
			ref, ok := m["$ref"].(string)
			if !ok {
				return node
			}
			v, _, err := doc.ResolveRef(n.spec.Location.File, ref)
			if err != nil {
				return node
			}
			node = v
		}
		return node
	}
}

// engineParams are the query parameters Engine.IO adds to every request.
func engineParam(k string) bool {
	switch k {
	case "EIO", "transport", "t", "sid", "b64", "j":
		return true
	}
	return false
}

// admit checks a namespace connection: method, query, headers, auth payload,
// security, then the user's middlewares.
func (n *Namespace) admit(ctx context.Context, hs *socketio.Handshake) error {
	if n.method != "" {
		if m, _ := ctx.Value(methodKey{}).(string); m != "" && m != n.method {
			return n.connectError(ctx, &ValidationError{Namespace: n.name, Direction: asyncapi.ClientToServer, Kind: "method", Message: "the handshake method must be " + n.method + ", not " + m})
		}
	}
	if n.query != nil {
		v := n.query.Query(hs.Query, engineParam)
		if err := n.spec.Bindings.Query.Compiled.Validate(v); err != nil {
			c := checker{ns: n.name, dir: asyncapi.ClientToServer, base: n.srv.base}
			return n.connectError(ctx, c.fromSchemaError(err, "", "query"))
		}
	}
	if n.headers != nil {
		v := n.headers.Headers(hs.Header)
		if err := n.spec.Bindings.Headers.Compiled.Validate(v); err != nil {
			c := checker{ns: n.name, dir: asyncapi.ClientToServer, base: n.srv.base}
			return n.connectError(ctx, c.fromSchemaError(err, "", "headers"))
		}
	}
	if n.auth != nil {
		var v any
		auth := hs.Auth
		if len(auth) == 0 {
			auth = json.RawMessage("{}")
		}
		if err := json.Unmarshal(auth, &v); err != nil {
			return n.connectError(ctx, &ValidationError{Namespace: n.name, Direction: asyncapi.ClientToServer, Kind: "auth", Message: "the auth payload is not JSON"})
		}
		if err := n.auth.schema.Compiled.Validate(v); err != nil {
			return n.connectError(ctx, n.auth.fromSchemaError(err, "", "auth"))
		}
	}
	if n.hasSecurity {
		p, err := n.authenticate(ctx, hs)
		if err != nil {
			return n.connectError(ctx, err)
		}
		hs.Set(principalKey{}, principalBox{p})
		ctx = context.WithValue(ctx, principalKey{}, principalBox{p})
	}
	for _, mw := range n.mws {
		if err := mw(ctx, hs); err != nil {
			return n.connectError(ctx, err)
		}
	}
	return nil
}

// connectError turns an error into the CONNECT_ERROR the client sees:
// {message, data: {code, message, kind?, instancePath?, schemaPath?}}.
func (n *Namespace) connectError(ctx context.Context, err error) error {
	w := wireOf(err)
	if w.Code == CodeInternal {
		n.srv.log.LogAttrs(ctx, slog.LevelError, "connection refused by an internal error", slog.String("nsp", n.name), slog.String("err", err.Error()))
		return &socketio.ConnectError{Message: internalMessage, Data: w}
	}
	n.srv.debug(ctx, "connection refused", n.name, "", err)
	msg := w.Message
	if w.Code == CodeInvalidHandshake {
		msg = "invalid handshake: " + w.Kind
		if w.InstancePath != "" {
			msg += " " + w.InstancePath
		}
		msg += ": " + w.Message
	}
	return &socketio.ConnectError{Message: msg, Data: w}
}

// connected runs on the socket's worker when it joined the namespace.
func (n *Namespace) connected(s *socketio.Socket) {
	if n.onDisconnect != nil {
		s.OnDisconnect(func(reason socketio.DisconnectReason) {
			ctx := context.WithoutCancel(n.ctxOf(s)) // the socket's ctx is done: let the hook still emit
			defer n.recoverHook(ctx, "disconnect hook")
			n.onDisconnect(ctx, s, reason)
		})
	}
	if n.onConnect != nil {
		ctx := n.ctxOf(s)
		defer n.recoverHook(ctx, "connect hook")
		n.onConnect(ctx, s)
	}
}

func (n *Namespace) ctxOf(s *socketio.Socket) context.Context {
	if n.hasSecurity {
		return withPrincipal(s.Context(), s)
	}
	return s.Context()
}

func (n *Namespace) recoverHook(ctx context.Context, what string) {
	if r := recover(); r != nil {
		n.srv.log.LogAttrs(ctx, slog.LevelError, "panic in "+what, slog.String("nsp", n.name), slog.Any("err", r), slog.String("stack", string(debug.Stack())))
	}
}

// serve is the socketio handler of a documented incoming event.
func (r *route) serve(ctx context.Context, s *socketio.Socket, args socketio.Args) (ack []any, err error) {
	n := r.n
	v := &n.srv.cfg.Validation
	if !v.SkipIncoming {
		var ve *ValidationError
		if args.Binary() {
			// placeholders: validate the values with attachments as base64 strings
			if ve = r.in.checkArity(args.Len()); ve == nil && r.in.schema != nil {
				t, perr := parseArgs(args, nil)
				if perr != nil {
					ve = &ValidationError{Namespace: n.name, Event: r.ev.Name, Direction: asyncapi.ClientToServer, Kind: "payload", Message: perr.Error()}
				} else {
					ve = r.in.checkValues(t)
				}
			}
		} else {
			var buf [4]json.RawMessage
			raws := buf[:0]
			for i := range args.Len() {
				raws = append(raws, args.Raw(i))
			}
			ve = r.in.checkRaw(raws)
		}
		if ve != nil {
			return n.fail(ctx, s, ve)
		}
	}
	if r.h == nil {
		return nil, nil // WarnOnly / Lenient: documented but unhandled
	}
	if n.hasSecurity {
		ctx = withPrincipal(ctx, s)
	}
	ack, err = r.call(ctx, s, args, nil)
	if err != nil {
		var dr socketio.DisconnectReason
		if errors.As(err, &dr) {
			return nil, err // the handler disconnects its socket
		}
		if ve, ok := err.(*ValidationError); ok && ve.Namespace == "" {
			ve.Namespace, ve.Event = n.name, r.ev.Name
		}
		return n.fail(ctx, s, err)
	}
	if !v.SkipAcks {
		send, eerr := encodeChecked(ack, r.ack)
		if eerr != nil {
			return n.fail(ctx, s, &internalError{fmt.Errorf("sockspec: handler of %q returned an invalid ack: %w", r.ev.Name, eerr)})
		}
		ack = send
	}
	return ack, nil
}

func (r *route) call(ctx context.Context, s *socketio.Socket, args socketio.Args, trees []any) (ack []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.n.srv.log.LogAttrs(ctx, slog.LevelError, "panic in event handler", slog.String("nsp", r.n.name), slog.String("event", r.ev.Name),
				slog.Any("err", p), slog.String("stack", string(debug.Stack())))
			ack, err = nil, fmt.Errorf("sockspec: panic in handler of %q: %v", r.ev.Name, p)
		}
	}()
	return r.h(ctx, s, args, trees)
}

// unknown handles events the namespace does not document as incoming.
func (n *Namespace) unknown(ctx context.Context, s *socketio.Socket, event string, args socketio.Args) ([]any, error) {
	if n.srv.cfg.Validation.UnknownEvents == DropUnknown {
		if n.srv.log.Enabled(ctx, slog.LevelDebug) {
			n.srv.log.LogAttrs(ctx, slog.LevelDebug, "undocumented event dropped", slog.String("nsp", n.name), slog.String("event", event), slog.String("sid", string(s.ID())))
		}
		return nil, nil
	}
	return n.fail(ctx, s, &ValidationError{Namespace: n.name, Event: event, Direction: asyncapi.ClientToServer, Kind: "unknown_event",
		Message: "event " + quote(event) + " is not documented as sent by the client in namespace " + n.name})
}

// fail runs the error hook (or logs) and returns the error ack.
func (n *Namespace) fail(ctx context.Context, s *socketio.Socket, err error) ([]any, error) {
	if n.onError != nil {
		func() {
			defer n.recoverHook(ctx, "error hook")
			n.onError(n.ctxOf(s), s, err)
		}()
	} else if CodeOf(err) == CodeInternal {
		sid := ""
		if s != nil {
			sid = string(s.ID())
		}
		n.srv.log.LogAttrs(ctx, slog.LevelError, "event handler failed", slog.String("nsp", n.name), slog.String("sid", sid), slog.String("err", err.Error()))
	} else {
		n.srv.debug(ctx, "invalid event", n.name, "", err)
	}
	var ea socketio.ErrorAcker
	if errors.As(err, &ea) {
		return ea.AckArgs(), nil // the handler's error chose its ack
	}
	return errorAckArgs(err), nil
}

// prepareEmit validates an outgoing event and returns the arguments to send.
func (n *Namespace) prepareEmit(event string, args []any) ([]any, error) {
	if n.srv.cfg.Validation.SkipOutgoing {
		return args, nil
	}
	if !n.srv.ready.Load() {
		return nil, fmt.Errorf("sockspec: emit %q before Start", event)
	}
	o := n.out[event]
	if o == nil {
		return nil, &ValidationError{Namespace: n.name, Event: event, Direction: asyncapi.ServerToClient, Kind: "unknown_event",
			Message: "event " + quote(event) + " is not documented as sent by the server in namespace " + n.name}
	}
	if o.payload.schema == nil {
		if ve := o.payload.checkArity(len(args)); ve != nil {
			return nil, ve
		}
		return args, nil
	}
	send, err := encodeChecked(args, o.payload)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return nil, ve
		}
		return nil, fmt.Errorf("sockspec: encode %q: %w", event, err)
	}
	return send, nil
}
