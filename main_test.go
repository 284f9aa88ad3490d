package sockspec_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/socketio"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const apiFile = "testdata/sockspec/api.yaml"

// serve starts srv over httptest and closes both at the end of the test.
func serve(t *testing.T, srv *sockspec.Server) *httptest.Server {
	t.Helper()
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	return hs
}

type dialOpts struct {
	path   string
	query  url.Values
	header http.Header
	auth   any
	tr     []client.Transport
}

func dial(t *testing.T, base, nsp string, o dialOpts) (*client.Socket, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	tr := o.tr
	if tr == nil {
		tr = []client.Transport{client.WebSocket}
	}
	s, err := client.Dial(ctx, base+nsp, client.Config{Path: o.path, Query: o.query, Header: o.header, Auth: o.auth, Transports: tr,
		Reconnection: client.Reconnection{Disable: true}})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = s.Manager().Close() })
	return s, nil
}

func mustDial(t *testing.T, base, nsp string, o dialOpts) *client.Socket {
	t.Helper()
	s, err := dial(t, base, nsp, o)
	if err != nil {
		t.Fatalf("dial %s: %v", nsp, err)
	}
	return s
}

func ack(t *testing.T, s *client.Socket, event string, args ...any) client.Args {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	a, err := s.EmitWithAck(ctx, event, args...)
	if err != nil {
		t.Fatalf("EmitWithAck(%q): %v", event, err)
	}
	return a
}

type wireErr struct {
	Error struct {
		Code         string `json:"code"`
		Message      string `json:"message"`
		Kind         string `json:"kind"`
		InstancePath string `json:"instancePath"`
		SchemaPath   string `json:"schemaPath"`
	} `json:"error"`
}

func errorAck(t *testing.T, a client.Args) wireErr {
	t.Helper()
	var w wireErr
	if a.Len() != 1 {
		t.Fatalf("error ack has %d args, want 1", a.Len())
	}
	if err := a.Unmarshal(0, &w); err != nil || w.Error.Code == "" {
		t.Fatalf("not an error ack: %s (%v)", a.Raw(0), err)
	}
	return w
}

type text struct {
	Text string `json:"text"`
}

type pair struct {
	sockspec.Tuple
	A, B int
}

var (
	echoEvent = sockspec.NewEvent[text, text]("echo")
	addEvent  = sockspec.NewEvent[pair, int]("add")
	pingEvent = sockspec.NewEvent[sockspec.NoAck, sockspec.NoAck]("ping")
	failEvent = sockspec.NewEvent[string, sockspec.NoAck]("fail")
)

type fixture struct {
	srv    *sockspec.Server
	hs     *httptest.Server
	errs   chan error
	events chan string
}

// newFixture registers every handler of the test document.
func newFixture(t *testing.T, cfg sockspec.Config) *fixture {
	t.Helper()
	if cfg.Security == nil {
		cfg.Security = map[string]sockspec.SecurityFunc{
			"bearer": func(_ context.Context, c sockspec.Credentials) (any, error) {
				switch c.Token {
				case "good":
					return "alice", nil
				case "banned":
					return nil, sockspec.NewError(sockspec.CodeForbidden, "banned")
				}
				return nil, errors.New("bad token")
			},
			"apiKey": func(_ context.Context, c sockspec.Credentials) (any, error) {
				if c.Token == "k1" {
					return "key-user", nil
				}
				return nil, errors.New("bad key")
			},
			"basic": func(_ context.Context, c sockspec.Credentials) (any, error) {
				if c.Username == "bob" && c.Password == "pw" {
					return "bob", nil
				}
				return nil, errors.New("bad password")
			},
		}
	}
	srv, err := sockspec.Load(apiFile, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv, errs: make(chan error, 16), events: make(chan string, 16)}
	root := srv.Namespace("/")
	echoEvent.Handle(root, func(_ context.Context, _ *socketio.Socket, p text) (text, error) {
		if p.Text == "bad-ack" {
			return text{}, nil // violates minLength 1
		}
		return p, nil
	})
	addEvent.Handle(root, func(_ context.Context, _ *socketio.Socket, p pair) (int, error) { return p.A + p.B, nil })
	pingEvent.Handle(root, func(context.Context, *socketio.Socket, sockspec.NoAck) (sockspec.NoAck, error) {
		return sockspec.NoAck{}, nil
	})
	failEvent.Handle(root, func(_ context.Context, _ *socketio.Socket, p string) (sockspec.NoAck, error) {
		switch p {
		case "user":
			return sockspec.NoAck{}, sockspec.NewError(sockspec.CodeForbidden, "not for you")
		case "panic":
			panic("boom")
		case "disconnect":
			return sockspec.NoAck{}, socketio.ReasonServerNamespaceDisconnect
		case "acker":
			return sockspec.NoAck{}, ackerErr{}
		}
		return sockspec.NoAck{}, errors.New("secret database failure")
	})
	srv.HandleNamed("root.error", func(_ context.Context, _ *socketio.Socket, err error) {
		select {
		case f.errs <- err:
		default:
		}
	})
	srv.Namespace("/secure").On("whoami", func(ctx context.Context, _ *socketio.Socket, _ socketio.Args) ([]any, error) {
		p, ok := sockspec.PrincipalFrom(ctx)
		if !ok {
			return []any{"none"}, nil
		}
		return []any{p.(string)}, nil
	})
	srv.HandleNamed("named.hello", sockspec.Handler[string, string](func(_ context.Context, _ *socketio.Socket, p string) (string, error) {
		return "hello " + p, nil
	}))
	srv.HandleNamed("named.connect", func(_ context.Context, s *socketio.Socket) { f.events <- "connect" })
	srv.HandleNamed("named.disconnect", func(_ context.Context, s *socketio.Socket, r socketio.DisconnectReason) {
		f.events <- "disconnect " + string(r)
	})
	f.hs = serve(t, srv)
	return f
}

func (f *fixture) nextErr(t *testing.T) error {
	t.Helper()
	select {
	case err := <-f.errs:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("error hook not called")
	}
	return nil
}

func httptestRecorder(h http.Handler, path string) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

var _ = json.Marshal

type ackerErr struct{}

func (ackerErr) Error() string  { return "custom" }
func (ackerErr) AckArgs() []any { return []any{"custom", 1} }
