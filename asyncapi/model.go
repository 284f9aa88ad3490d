package asyncapi

import (
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Direction says who emits an event.
type Direction int

// Directions. 2.x publish and 3.x action "receive" are [ClientToServer] (the
// client emits, the server listens); 2.x subscribe and 3.x action "send" are
// [ServerToClient].
const (
	ClientToServer Direction = iota + 1
	ServerToClient
)

// String returns "client→server" style names: "clientToServer" or "serverToClient".
func (d Direction) String() string {
	switch d {
	case ClientToServer:
		return "clientToServer"
	case ServerToClient:
		return "serverToClient"
	}
	return "unknown"
}

// MarshalText encodes the direction as its String form.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// ArityKind classifies how many Socket.IO arguments an event (or ack) carries.
type ArityKind int

// Arity kinds; see the package documentation for the rule.
const (
	ArityNone  ArityKind = iota // no payload: no arguments
	ArityOne                    // exactly one argument (any schema that is not a tuple)
	ArityTuple                  // several arguments: a type: array schema with prefixItems
)

// String returns "none", "one" or "tuple".
func (k ArityKind) String() string {
	switch k {
	case ArityNone:
		return "none"
	case ArityOne:
		return "one"
	}
	return "tuple"
}

// MarshalText encodes the kind as its String form.
func (k ArityKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Arity is the number of arguments an event or ack carries. For ArityNone Min
// and Max are 0; for ArityOne both are 1; for ArityTuple Min..Max, Max -1
// meaning unbounded.
type Arity struct {
	Kind ArityKind `json:"kind"`
	Min  int       `json:"min"`
	Max  int       `json:"max"`
}

// Accepts reports whether n arguments fit the arity.
func (a Arity) Accepts(n int) bool {
	return n >= a.Min && (a.Max < 0 || n <= a.Max)
}

// Location points at a value in a source file of the document.
type Location struct {
	File    string `json:"file"`
	Pointer string `json:"pointer"`
	Position
}

// Schema is a JSON Schema of the document, compiled against the whole
// document (so $ref into components and recursion work). Raw is the schema as
// written ($ref not inlined; resolve them with [Document.ResolveRef] using
// Location.File as the base).
type Schema struct {
	Compiled *jsonschema.Schema `json:"-"`
	Raw      any                `json:"raw"`
	Location Location           `json:"location"`
	// Dialect is the JSON Schema dialect URL the schema was compiled with.
	Dialect string `json:"dialect"`
}

// Validate validates a JSON value (as produced by encoding/json into any, or
// [jsonschema.UnmarshalJSON]) against the schema.
func (s *Schema) Validate(v any) error {
	return s.Compiled.Validate(v)
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

// Server is where a Socket.IO server listens.
type Server struct {
	Name     string `json:"name"`
	URL      string `json:"url"`      // as written (2.x url; 3.x host + pathname)
	Host     string `json:"host"`     // host[:port]
	Protocol string `json:"protocol"` // ws, wss, http, https...
	// Path is the Socket.IO (Engine.IO) request path, from the URL path (2.x)
	// or pathname (3.x); "/socket.io/" when absent. It always ends with "/".
	Path        string                `json:"path"`
	TLS         bool                  `json:"tls"` // protocol or scheme is wss or https
	Description string                `json:"description,omitempty"`
	Security    []SecurityRequirement `json:"security,omitempty"`
	Location    Location              `json:"location"`
}

// SecurityRequirement lists schemes that must all be satisfied together; a
// list of requirements is satisfied when any one of them is.
type SecurityRequirement struct {
	Schemes []SchemeUse `json:"schemes"`
}

// SchemeUse is one scheme of a requirement, with the scopes asked for.
type SchemeUse struct {
	Scheme *SecurityScheme `json:"-"`
	Name   string          `json:"name"`
	Scopes []string        `json:"scopes,omitempty"`
}

// SecurityScheme is a components.securitySchemes entry.
type SecurityScheme struct {
	Name             string         `json:"name"` // component key
	Type             string         `json:"type"` // userPassword, apiKey, http, httpApiKey, oauth2, openIdConnect, ...
	Description      string         `json:"description,omitempty"`
	In               string         `json:"in,omitempty"`        // apiKey: user/password; httpApiKey: query/header/cookie
	ParamName        string         `json:"paramName,omitempty"` // httpApiKey "name"
	Scheme           string         `json:"scheme,omitempty"`    // http: basic, bearer...
	BearerFormat     string         `json:"bearerFormat,omitempty"`
	OpenIDConnectURL string         `json:"openIdConnectUrl,omitempty"`
	Flows            map[string]any `json:"flows,omitempty"`
	Scopes           []string       `json:"scopes,omitempty"` // every scope any flow defines (3.x availableScopes, 2.x scopes)
	Extensions       map[string]any `json:"extensions,omitempty"`
	Location         Location       `json:"location"`
}

// Bindings is a namespace's ws channel binding: what the handshake must carry.
type Bindings struct {
	Query   *Schema `json:"query,omitempty"`   // object schema of the handshake query
	Headers *Schema `json:"headers,omitempty"` // object schema of the handshake headers
	Method  string  `json:"method,omitempty"`  // GET or POST when set
}

// Handlers names the x-handlers of a namespace (Asynction's extension).
type Handlers struct {
	Connect    string `json:"connect,omitempty"`
	Disconnect string `json:"disconnect,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Namespace is a Socket.IO namespace: a 2.x channel key or a 3.x channel address.
type Namespace struct {
	Name        string   `json:"name"` // "/" or "/admin"
	Description string   `json:"description,omitempty"`
	Bindings    Bindings `json:"bindings"`
	// Auth is the x-auth extension compiled: a JSON Schema (2020-12 unless it has its own
	// $schema; $ref into components and other files work) of the auth payload a client sends
	// in its CONNECT packet (socket.io-client's "auth" option). nil when absent or invalid
	// (an invalid one is an error finding, as is one that is not of type object).
	Auth *Schema `json:"auth,omitempty"`
	// Security is the namespace's own x-security when OwnSecurity is set; otherwise it is the
	// security of the first server that has any (a convenience for tools that show one
	// document). A program that serves one chosen server should use that [Server.Security]
	// when OwnSecurity is false.
	Security []SecurityRequirement `json:"security,omitempty"`
	// OwnSecurity reports that the channel has x-security (possibly an empty list: no
	// security for this namespace), so Security is the namespace's own and not a server's.
	OwnSecurity bool           `json:"ownSecurity,omitempty"`
	Handlers    Handlers       `json:"handlers"`
	Events      []*Event       `json:"events"`
	Extensions  map[string]any `json:"extensions,omitempty"`
	Location    Location       `json:"location"`
}

// Event returns the event with that name and direction, or nil.
func (n *Namespace) Event(d Direction, name string) *Event {
	for _, e := range n.Events {
		if e.Direction == d && e.Name == name {
			return e
		}
	}
	return nil
}

// Event is one Socket.IO event of a namespace in one direction.
type Event struct {
	Name        string    `json:"name"`
	Direction   Direction `json:"direction"`
	Summary     string    `json:"summary,omitempty"`
	Description string    `json:"description,omitempty"`
	// MessageID is the message's messageId, component key or 3.x channel message key.
	MessageID string `json:"messageId,omitempty"`
	// Operation is the 2.x operationId or 3.x operation key.
	Operation string  `json:"operation,omitempty"`
	Payload   *Schema `json:"payload,omitempty"` // nil when the message has no payload
	Arity     Arity   `json:"arity"`
	Headers   *Schema `json:"headers,omitempty"`
	Ack       *Ack    `json:"ack,omitempty"`
	Handler   string  `json:"handler,omitempty"` // x-handler
	// Examples are the message's example payloads.
	Examples   []any          `json:"examples,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
	Location   Location       `json:"location"` // the message object
}

// Ack describes the acknowledgement of an event, sent by the event's receiver.
type Ack struct {
	Payload *Schema `json:"payload,omitempty"` // nil: the ack carries no argument
	Arity   Arity   `json:"arity"`
	// Source is "x-ack" (Asynction {args: schema} or a bare schema) or "reply" (3.x).
	Source   string   `json:"source"`
	Location Location `json:"location"`
}

// Document is a loaded, resolved and compiled AsyncAPI document in sockspec's
// normalized form, whatever its version. It is not modified after [Load]
// returns; its methods and its schemas' Validate are safe for concurrent use.
type Document struct {
	Version            string            `json:"asyncapi"` // e.g. "2.2.0", "3.0.0"
	Info               Info              `json:"info"`
	DefaultContentType string            `json:"defaultContentType,omitempty"`
	Servers            []*Server         `json:"servers"`
	Namespaces         []*Namespace      `json:"namespaces"`
	SecuritySchemes    []*SecurityScheme `json:"securitySchemes"`
	// File is the path of the main file.
	File string `json:"file"`
	// Raw is the main file as a JSON value tree ($ref not inlined).
	Raw any `json:"-"`
	// Findings lists warnings and infos (and errors, when returned with an [InvalidError]).
	Findings []Finding `json:"findings,omitempty"`

	mu    sync.Mutex         // guards files for ResolveRef
	files map[string]*source // by URL
	main  *source
	cfg   Config
}

// Namespace returns the namespace with that name, or nil.
func (d *Document) Namespace(name string) *Namespace {
	for _, n := range d.Namespaces {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// SecurityScheme returns the scheme with that component key, or nil.
func (d *Document) SecurityScheme(name string) *SecurityScheme {
	for _, s := range d.SecuritySchemes {
		if s.Name == name {
			return s
		}
	}
	return nil
}
