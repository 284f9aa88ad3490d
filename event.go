package sockspec

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"sync"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

// NoAck is the ack type of an event that is not acknowledged, and the payload
// type of an event without payload: it encodes as no argument at all.
type NoAck struct{}

// Tuple marks a struct as a list of Socket.IO arguments: embed it as the
// first field, and each following exported field is one argument, in order.
// It is how a typed event carries several arguments (a payload schema of
// type array with prefixItems, or an ack with several arguments):
//
//	type Move struct {
//		sockspec.Tuple
//		X, Y int
//	}
//
// Missing trailing arguments leave their fields at the zero value.
type Tuple struct{}

// Handler handles a typed event: payload is decoded from the event's
// arguments (after validation), and the returned value is the ack, sent when
// the client asked for one. Returning an error sends an error ack instead
// (see the package documentation); returning a socketio.DisconnectReason
// disconnects the socket.
type Handler[P, A any] func(ctx context.Context, s *socketio.Socket, payload P) (A, error)

// Event is an event declared once with its payload type P and ack type A,
// used to handle it, emit it and wait for its ack. Use [NoAck] for an event
// without ack (or without payload) and a struct embedding [Tuple] for
// several arguments. The zero Event is unusable; create one with [NewEvent].
// An Event is immutable and safe for concurrent use.
type Event[P, A any] struct {
	name string
	p, a *argCodec
}

// NewEvent declares the event called name.
func NewEvent[P, A any](name string) Event[P, A] {
	return Event[P, A]{name: name, p: codecOf(reflect.TypeFor[P]()), a: codecOf(reflect.TypeFor[A]())}
}

// Name returns the event's name.
func (e Event[P, A]) Name() string { return e.name }

// Handle registers h as the handler of the event in ns. It panics if the
// event already has a handler there or the server has started.
func (e Event[P, A]) Handle(ns *Namespace, h Handler[P, A]) {
	ns.on(e.name, adapt(e.p, e.a, h))
	ns.srv.mu.Lock()
	if ns.typed == nil {
		ns.typed = map[string][2]*argCodec{}
	}
	ns.typed[e.name] = [2]*argCodec{e.p, e.a}
	ns.srv.mu.Unlock()
}

// Emit emits the event to a *socketio.Socket, a *socketio.Namespace or a
// room selection. When to belongs to a [Server], payload is validated
// against the document (see [Server.Emit]) by the hook the Server installs
// on its Socket.IO server; an invalid payload returns a *ValidationError,
// wrapped, and sends nothing.
func (e Event[P, A]) Emit(ctx context.Context, to socketio.Target, payload P) error {
	if targetNamespace(to) == nil {
		return errors.New("sockspec: cannot tell the namespace of this emit target; use Event.EmitIn")
	}
	return to.Emit(ctx, e.name, encodeValue(e.p, payload)...)
}

// EmitIn is Emit for a target whose namespace ns states, such as a room
// selection: ns.EmitTo validates and sends.
func (e Event[P, A]) EmitIn(ctx context.Context, ns *Namespace, to socketio.Target, payload P) error {
	return ns.EmitTo(ctx, to, e.name, encodeValue(e.p, payload)...)
}

// EmitWithAck emits the event to s and waits for the client's ack, decoded
// into A. Both the payload and the ack are validated, by the Server's hooks,
// when s belongs to a [Server] (see [Server.EmitWithAck]). A ctx deadline is
// the ack timeout.
func (e Event[P, A]) EmitWithAck(ctx context.Context, s *socketio.Socket, payload P) (A, error) {
	ack, err := s.EmitWithAck(ctx, e.name, encodeValue(e.p, payload)...)
	if err != nil {
		var zero A
		return zero, err
	}
	a, verr := decodeArgs[A](e.a, ack, nil)
	if verr != nil {
		verr.Namespace, verr.Event, verr.Direction, verr.Kind = s.Namespace().Name(), e.name, asyncapi.ClientToServer, "ack"
		return a, verr
	}
	return a, nil
}

// BroadcastWithAck emits the event to every socket to selects and waits for
// their acks, decoded into A, as [Server.BroadcastWithAck] does (the payload
// and every ack validated when to belongs to a [Server]): it returns the
// answers that are valid, and an error joining the broadcast's own (a ctx
// deadline, a recipient that disconnected) with one *ValidationError per
// answer that is not. A ctx deadline is the ack timeout.
func (e Event[P, A]) BroadcastWithAck(ctx context.Context, to socketio.BroadcastOperator, payload P) ([]A, error) {
	acks, err := to.EmitWithAck(ctx, e.name, encodeValue(e.p, payload)...)
	errs := []error{err}
	out := make([]A, 0, len(acks))
	for _, ack := range acks {
		a, verr := decodeArgs[A](e.a, ack, nil)
		if verr != nil {
			verr.Namespace, verr.Event, verr.Direction, verr.Kind = to.Namespace().Name(), e.name, asyncapi.ClientToServer, "ack"
			errs = append(errs, verr)
			continue
		}
		out = append(out, a)
	}
	return out, errors.Join(errs...)
}

// eventFunc is the internal, erased form of every handler. trees holds the
// arguments decoded for validation (nil when validation is off).
type eventFunc func(ctx context.Context, s *socketio.Socket, args socketio.Args, trees []any) ([]any, error)

func rawFunc(h socketio.Handler) eventFunc {
	return func(ctx context.Context, s *socketio.Socket, args socketio.Args, _ []any) ([]any, error) {
		return h(ctx, s, args)
	}
}

// typedHandler is implemented by every Handler[P, A], so HandleNamed accepts them.
type typedHandler interface {
	erase() eventFunc
	codecs() (p, a *argCodec)
}

func (h Handler[P, A]) codecs() (p, a *argCodec) {
	return codecOf(reflect.TypeFor[P]()), codecOf(reflect.TypeFor[A]())
}

func (h Handler[P, A]) erase() eventFunc {
	return adapt(codecOf(reflect.TypeFor[P]()), codecOf(reflect.TypeFor[A]()), h)
}

func adapt[P, A any](pc, ac *argCodec, h Handler[P, A]) eventFunc {
	return func(ctx context.Context, s *socketio.Socket, args socketio.Args, trees []any) ([]any, error) {
		p, verr := decodeArgs[P](pc, args, trees)
		if verr != nil {
			return nil, verr
		}
		a, err := h(ctx, s, p)
		if err != nil {
			return nil, err
		}
		return encodeValue(ac, a), nil
	}
}

const (
	codecOne = iota
	codecNone
	codecTuple
)

// argCodec maps a Go type onto Socket.IO arguments.
type argCodec struct {
	kind   int
	fields []int // tuple: indexes of the argument fields
}

var codecs sync.Map // reflect.Type -> *argCodec

var tupleType = reflect.TypeFor[Tuple]()

func codecOf(t reflect.Type) *argCodec {
	if c, ok := codecs.Load(t); ok {
		return c.(*argCodec)
	}
	c := &argCodec{kind: codecOne}
	if t.Kind() == reflect.Struct {
		if t.NumField() == 0 {
			c.kind = codecNone
		} else if f := t.Field(0); f.Anonymous && f.Type == tupleType {
			c.kind = codecTuple
			for i := 1; i < t.NumField(); i++ {
				if t.Field(i).IsExported() {
					c.fields = append(c.fields, i)
				}
			}
		}
	}
	codecs.Store(t, c)
	return c
}

// decodeArgs decodes received arguments into T. Common payload types are
// taken from the validator's trees without parsing the JSON again.
func decodeArgs[T any](c *argCodec, args socketio.Args, trees []any) (T, *ValidationError) {
	var v T
	switch c.kind {
	case codecNone:
		return v, nil
	case codecTuple:
		rv := reflect.ValueOf(&v).Elem()
		for i, fi := range c.fields {
			if i >= args.Len() {
				break
			}
			if err := args.Unmarshal(i, rv.Field(fi).Addr().Interface()); err != nil {
				return v, decodeError(i, err)
			}
		}
		return v, nil
	}
	if args.Len() == 0 {
		return v, nil
	}
	if len(trees) > 0 {
		switch p := any(&v).(type) {
		case *any:
			*p = trees[0]
			return v, nil
		case *string:
			if s, ok := trees[0].(string); ok {
				*p = s
				return v, nil
			}
		case *map[string]any:
			if m, ok := trees[0].(map[string]any); ok {
				*p = m
				return v, nil
			}
		case *float64:
			if f, ok := trees[0].(float64); ok {
				*p = f
				return v, nil
			}
		case *bool:
			if b, ok := trees[0].(bool); ok {
				*p = b
				return v, nil
			}
		}
	}
	if p, ok := any(&v).(*json.RawMessage); ok && !args.Binary() {
		*p = args.Raw(0)
		return v, nil
	}
	if err := args.Unmarshal(0, &v); err != nil {
		return v, decodeError(0, err)
	}
	return v, nil
}

func decodeError(i int, err error) *ValidationError {
	return &ValidationError{Direction: asyncapi.ClientToServer, Kind: "decode", InstancePath: "/" + strconv.Itoa(i), Message: err.Error()}
}

// encodeValue turns a typed value into emit arguments.
func encodeValue[T any](c *argCodec, v T) []any {
	switch c.kind {
	case codecNone:
		return nil
	case codecTuple:
		rv := reflect.ValueOf(v)
		out := make([]any, len(c.fields))
		for i, fi := range c.fields {
			out[i] = rv.Field(fi).Interface()
		}
		return out
	}
	return []any{v}
}
