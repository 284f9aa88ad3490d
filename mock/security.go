package mock

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/sockspec/sockspec"
)

// acceptWellFormed is the SecurityFunc of every scheme the Config does not
// give one: it admits any credential of the right form for the scheme and
// refuses malformed ones with a message that says why (the CONNECT_ERROR's).
// The principal is the user name, or the token or key.
func acceptWellFormed(_ context.Context, c sockspec.Credentials) (any, error) {
	sch := c.Scheme
	refuse := func(why string) (any, error) {
		return nil, sockspec.NewError(sockspec.CodeUnauthorized, "malformed credentials for security scheme "+quote(sch.Name)+": "+why)
	}
	switch {
	case sch.Type == "http" && strings.EqualFold(sch.Scheme, "basic"):
		if c.Username == "" {
			return refuse("empty user name")
		}
		if !printable(c.Username) || !printable(c.Password) {
			return refuse("control characters in the user name or password")
		}
		return c.Username, nil
	case sch.Type == "httpApiKey":
		if !printable(c.Token) || strings.ContainsAny(c.Token, " \t") {
			return refuse("the API key must be printable, without spaces")
		}
		return c.Token, nil
	}
	// http bearer, oauth2, openIdConnect: an RFC 6750 b64token
	if !b64token(c.Token) {
		return refuse("the bearer token must be an RFC 6750 token (letters, digits, -._~+/ then optional =)")
	}
	if strings.EqualFold(sch.BearerFormat, "JWT") {
		if why := checkJWT(c.Token); why != "" {
			return refuse("not a JWT: " + why)
		}
	}
	return c.Token, nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func b64token(s string) bool {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0 {
			i++
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// checkJWT checks the form of a JWS compact serialization: three base64url
// parts, the first two JSON objects. It returns why not, or "".
func checkJWT(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "a JWT has three dot-separated parts"
	}
	for i, name := range []string{"header", "payload"} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return "the " + name + " is not base64url"
		}
		var obj map[string]any
		if json.Unmarshal(b, &obj) != nil {
			return "the " + name + " is not a JSON object"
		}
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return "the signature is not base64url"
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }
