package sockspec

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

// SecurityFunc checks the credentials a client presented for one security
// scheme and returns the principal they identify (any value: a user, token
// info...). A non-nil error means the scheme is not satisfied. Return an
// *Error to choose the CONNECT_ERROR message (such as CodeForbidden for
// missing scopes); any other error is logged at Debug and the client gets the
// generic "unauthorized". It runs on the connection's goroutine, once per
// namespace connection, and must be safe for concurrent use.
type SecurityFunc func(ctx context.Context, c Credentials) (principal any, err error)

// Credentials are what a client presented for one security scheme, read from
// the handshake as the scheme's type says:
//
//   - http basic: the Authorization header's Basic user and password.
//   - http bearer, oauth2, openIdConnect: the Authorization header's Bearer
//     token, or else the "token" string of the CONNECT auth payload (browsers
//     cannot set headers on a WebSocket).
//   - httpApiKey: the query parameter, header or cookie named by the scheme.
//
// A scheme whose credentials are absent fails without calling its function.
type Credentials struct {
	// Scheme is the security scheme of the document.
	Scheme *asyncapi.SecurityScheme
	// Username and Password are set for http basic.
	Username, Password string
	// Token is the bearer token or the API key.
	Token string
	// Scopes are the scopes the requirement asks for (oauth2 and
	// openIdConnect); the function checks that the token grants them.
	Scopes []string
	// Handshake is the namespace connection request.
	Handshake *socketio.Handshake
}

type principalKey struct{}

type principalBox struct{ v any }

// PrincipalFrom returns the principal of the connection that ctx belongs to:
// the value returned by the SecurityFunc of the first scheme of the security
// requirement the client satisfied. ok is false when the namespace has no
// security or ctx is not a connect hook's or handler's context.
func PrincipalFrom(ctx context.Context) (principal any, ok bool) {
	b, ok := ctx.Value(principalKey{}).(principalBox)
	return b.v, ok
}

func withPrincipal(ctx context.Context, s *socketio.Socket) context.Context {
	if b, ok := s.Value(principalKey{}).(principalBox); ok {
		return context.WithValue(ctx, principalKey{}, b)
	}
	return ctx
}

// supportedScheme reports whether sockspec can read credentials for a scheme.
func supportedScheme(s *asyncapi.SecurityScheme) bool {
	switch s.Type {
	case "http":
		sc := strings.ToLower(s.Scheme)
		return sc == "basic" || sc == "bearer"
	case "httpApiKey":
		return s.In == "query" || s.In == "header" || s.In == "cookie"
	case "oauth2", "openIdConnect":
		return true
	}
	return false
}

// credentials extracts a scheme's credentials from a handshake.
func credentials(s *asyncapi.SecurityScheme, hs *socketio.Handshake) (Credentials, bool) {
	c := Credentials{Scheme: s, Handshake: hs}
	switch s.Type {
	case "http":
		if strings.EqualFold(s.Scheme, "basic") {
			u, p, ok := basicAuth(hs.Header.Get("Authorization"))
			c.Username, c.Password = u, p
			return c, ok
		}
		c.Token = bearer(hs)
	case "oauth2", "openIdConnect":
		c.Token = bearer(hs)
	case "httpApiKey":
		switch s.In {
		case "query":
			c.Token = hs.Query.Get(s.ParamName)
		case "header":
			c.Token = hs.Header.Get(s.ParamName)
		case "cookie":
			r := http.Request{Header: http.Header{"Cookie": hs.Header.Values("Cookie")}}
			if ck, err := r.Cookie(s.ParamName); err == nil {
				c.Token = ck.Value
			}
		}
	}
	return c, c.Token != ""
}

func basicAuth(h string) (user, pass string, ok bool) {
	const prefix = "basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(b), ":")
	return user, pass, ok
}

func bearer(hs *socketio.Handshake) string {
	const prefix = "bearer "
	if h := hs.Header.Get("Authorization"); len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):])
	}
	if len(hs.Auth) > 0 {
		var a struct {
			Token string `json:"token"`
		}
		if json.Unmarshal(hs.Auth, &a) == nil {
			return a.Token
		}
	}
	return ""
}

var errUnauthorized = &Error{Code: CodeUnauthorized, Message: "unauthorized"}

// authenticate evaluates the requirements: any one requirement (OR) whose
// schemes all (AND) accept the client's credentials.
func (n *Namespace) authenticate(ctx context.Context, hs *socketio.Handshake) (any, error) {
	var userErr *Error
	for _, req := range n.security {
		var first any
		ok := true
		for i, use := range req.Schemes {
			fn := n.srv.secFuncs[use.Name]
			if fn == nil || use.Scheme == nil {
				ok = false
				break
			}
			c, have := credentials(use.Scheme, hs)
			if !have {
				ok = false
				break
			}
			c.Scopes = use.Scopes
			p, err := fn(ctx, c)
			if err != nil {
				var e *Error
				if userErr == nil && errors.As(err, &e) {
					userErr = e
				}
				n.srv.debug(ctx, "security check failed", n.name, "", err)
				ok = false
				break
			}
			if i == 0 {
				first = p
			}
		}
		if ok {
			return first, nil
		}
	}
	if userErr != nil {
		return nil, userErr
	}
	return nil, errUnauthorized
}
