// Package chatserver is the Socket.IO chat demo served by sockspec from its
// AsyncAPI document (asyncapi.yaml, embedded), with a small browser page.
// examples/chat runs it; the e2e test starts it in-process.
package chatserver

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"sync"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/socketio"
)

//go:embed asyncapi.yaml
var spec []byte

// Spec returns the chat's AsyncAPI document as written.
func Spec() []byte { return spec }

// Config configures the chat server.
type Config struct {
	// AdminToken is the token /admin requires (query parameter "token");
	// empty means "admin", as in the original demo.
	AdminToken string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// User is the payload of typing and stop typing.
type User struct {
	Username string `json:"username"`
}

// UserCount is the payload of user joined and user left.
type UserCount struct {
	Username string `json:"username"`
	NumUsers int    `json:"numUsers"`
}

// Message is the payload of a received new message.
type Message struct {
	Username string `json:"username"`
	Message  string `json:"message"`
}

// AddUserAck is the ack of add user: Error is nil on success.
type AddUserAck struct {
	Error *string `json:"error"`
}

// Metric is the payload of server metric.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// The chat's events, declared once with their Go types.
var (
	NewMessage   = sockspec.NewEvent[string, sockspec.NoAck]("new message")
	Typing       = sockspec.NewEvent[sockspec.NoAck, sockspec.NoAck]("typing")
	StopTyping   = sockspec.NewEvent[sockspec.NoAck, sockspec.NoAck]("stop typing")
	AddUser      = sockspec.NewEvent[string, AddUserAck]("add user")
	ServerMetric = sockspec.NewEvent[Metric, sockspec.NoAck]("server metric")

	// events the server sends
	MessageReceived = sockspec.NewEvent[Message, sockspec.NoAck]("new message")
	LogIn           = sockspec.NewEvent[LogInInfo, sockspec.NoAck]("login")
	UserJoined      = sockspec.NewEvent[UserCount, sockspec.NoAck]("user joined")
	UserLeft        = sockspec.NewEvent[UserCount, sockspec.NoAck]("user left")
)

// LogInInfo is the payload of login.
type LogInInfo struct {
	NumUsers int `json:"numUsers"`
}

const usernameKey = "username"

type chat struct {
	mu       sync.Mutex
	numUsers int
	root     *sockspec.Namespace
}

// New returns the chat's handler, serving the page at "/", Socket.IO at
// "/socket.io/" and the docs at "/docs", and the sockspec server (to shut
// down).
func New(cfg Config) (http.Handler, *sockspec.Server, error) {
	token := cfg.AdminToken
	if token == "" {
		token = "admin"
	}
	doc, err := asyncapi.Parse(context.Background(), "asyncapi.yaml", spec, asyncapi.Config{})
	if err != nil {
		return nil, nil, err
	}
	srv, err := sockspec.New(doc, sockspec.Config{
		Logger: cfg.Logger,
		Security: map[string]sockspec.SecurityFunc{
			"adminToken": func(_ context.Context, c sockspec.Credentials) (any, error) {
				if subtle.ConstantTimeCompare([]byte(c.Token), []byte(token)) == 1 {
					return "admin", nil
				}
				return nil, errors.New("wrong admin token")
			},
		},
	})
	if err != nil {
		return nil, nil, err
	}
	c := &chat{root: srv.Namespace("/")}
	NewMessage.Handle(c.root, c.newMessage)
	Typing.Handle(c.root, c.typing("typing"))
	StopTyping.Handle(c.root, c.typing("stop typing"))
	AddUser.Handle(c.root, c.addUser)
	srv.HandleNamed("chat.user_left", c.userLeft)
	srv.Namespace("/admin").OnConnect(func(ctx context.Context, s *socketio.Socket) {
		_ = ServerMetric.Emit(ctx, s, Metric{Name: "CPU_COUNT", Value: float64(runtime.NumCPU())})
	})
	if err := srv.Start(); err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	mux.Handle("/docs", srv)
	mux.Handle("/docs/", srv)
	page, _ := fs.Sub(static, "static")
	mux.Handle("/", http.FileServerFS(page))
	return mux, srv, nil
}

func username(s *socketio.Socket) string {
	u, _ := s.Get(usernameKey).(string)
	return u
}

func (c *chat) newMessage(ctx context.Context, s *socketio.Socket, msg string) (sockspec.NoAck, error) {
	if username(s) == "" {
		return sockspec.NoAck{}, sockspec.NewError(sockspec.CodeForbidden, "add user first")
	}
	return sockspec.NoAck{}, MessageReceived.Emit(ctx, s.Broadcast(), Message{Username: username(s), Message: msg})
}

func (c *chat) typing(event string) sockspec.Handler[sockspec.NoAck, sockspec.NoAck] {
	return func(ctx context.Context, s *socketio.Socket, _ sockspec.NoAck) (sockspec.NoAck, error) {
		if username(s) == "" {
			return sockspec.NoAck{}, nil
		}
		return sockspec.NoAck{}, c.root.EmitTo(ctx, s.Broadcast(), event, User{Username: username(s)})
	}
}

func (c *chat) addUser(ctx context.Context, s *socketio.Socket, name string) (AddUserAck, error) {
	if username(s) != "" {
		msg := "User is already added"
		return AddUserAck{Error: &msg}, nil
	}
	s.Set(usernameKey, name)
	c.mu.Lock()
	c.numUsers++
	n := c.numUsers
	c.mu.Unlock()
	if err := LogIn.Emit(ctx, s, LogInInfo{NumUsers: n}); err != nil {
		return AddUserAck{}, err
	}
	if err := UserJoined.Emit(ctx, s.Broadcast(), UserCount{Username: name, NumUsers: n}); err != nil {
		return AddUserAck{}, err
	}
	return AddUserAck{}, nil
}

func (c *chat) userLeft(ctx context.Context, s *socketio.Socket, _ socketio.DisconnectReason) {
	name := username(s)
	if name == "" {
		return
	}
	c.mu.Lock()
	c.numUsers--
	n := c.numUsers
	c.mu.Unlock()
	_ = UserLeft.Emit(ctx, s.Broadcast(), UserCount{Username: name, NumUsers: n})
}

//go:embed static
var static embed.FS
