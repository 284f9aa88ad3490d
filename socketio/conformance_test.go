package socketio_test

import (
	"context"
	"testing"
	"time"

	"github.com/sockspec/sockspec/engineio"
	"github.com/sockspec/sockspec/socketio"
)

// referenceServer is the server of the Socket.IO v5 protocol document's
// test suite ("Test suite" section), with shorter timeouts.
func referenceServer(t testing.TB, connectTimeout time.Duration) (*socketio.Server, string) {
	srv, url := newServer(t, socketio.Config{
		Engine:         engineio.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second},
		ConnectTimeout: connectTimeout,
	})
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
		s.On("message", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
			return nil, s.Emit(ctx, "message-back", args.Values()...)
		})
		s.On("message-with-ack", func(ctx context.Context, s *socketio.Socket, args socketio.Args) ([]any, error) {
			return args.Values(), nil
		})
	})
	srv.Of("/custom").OnConnection(func(s *socketio.Socket) {
		_ = s.Emit(s.Context(), "auth", s.Handshake().Auth)
	})
	return srv, url
}

// TestConformance replays the v5 test suite's Socket.IO cases over a real
// WebSocket.
func TestConformance(t *testing.T) {
	_, url := referenceServer(t, time.Second)

	t.Run("connect main namespace", func(t *testing.T) {
		w := dial(t, url)
		w.send("0")
		w.expectPrefix(`0{"sid":"`)
		w.expect(`2["auth",{}]`)
	})
	t.Run("connect main namespace with payload", func(t *testing.T) {
		w := dial(t, url)
		w.send(`0{"token":"123"}`)
		w.expectPrefix(`0{"sid":"`)
		w.expect(`2["auth",{"token":"123"}]`)
	})
	t.Run("connect custom namespace", func(t *testing.T) {
		w := dial(t, url)
		w.send("0/custom,")
		w.expectPrefix(`0/custom,{"sid":"`)
		w.expect(`2/custom,["auth",{}]`)
	})
	t.Run("connect custom namespace with payload", func(t *testing.T) {
		w := dial(t, url)
		w.send(`0/custom,{"token":"abc"}`)
		w.expectPrefix(`0/custom,{"sid":"`)
		w.expect(`2/custom,["auth",{"token":"abc"}]`)
	})
	t.Run("unknown namespace", func(t *testing.T) {
		w := dial(t, url)
		w.send("0/random")
		w.expect(`4/random,{"message":"Invalid namespace"}`)
	})
	t.Run("invalid handshake", func(t *testing.T) {
		w := dial(t, url)
		w.send("abc")
		w.waitClosed()
	})
	t.Run("disconnect main namespace keeps the session", func(t *testing.T) {
		w := dial(t, url)
		w.send("0")
		w.expectPrefix("0")
		w.expectPrefix("2")
		w.send("1")
		// The Engine.IO session lives on: the next ping arrives and is answered.
		w.noMessage(400 * time.Millisecond)
		w.send("0")
		w.expectPrefix("0")
	})
	t.Run("connect then disconnect custom namespace", func(t *testing.T) {
		w := dial(t, url)
		w.send("0")
		w.expectPrefix("0")
		w.expectPrefix("2")
		w.send("0/custom")
		w.expectPrefix("0/custom,")
		w.expectPrefix("2/custom,")
		w.send("1/custom")
		w.send(`2["message","message to main namespace"]`)
		w.expect(`2["message-back","message to main namespace"]`)
	})
	connected := func(t *testing.T) *wire {
		w := dial(t, url)
		w.send("0")
		w.expectPrefix("0")
		w.expectPrefix("2")
		return w
	}
	t.Run("plain text event", func(t *testing.T) {
		w := connected(t)
		w.send(`2["message",1,"2",{"3":[true]}]`)
		w.expect(`2["message-back",1,"2",{"3":[true]}]`)
	})
	t.Run("binary event", func(t *testing.T) {
		w := connected(t)
		w.send(`52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		w.sendBin([]byte{1, 2, 3})
		w.sendBin([]byte{4, 5, 6})
		w.expect(`52-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		if b := w.recvBin(); string(b) != "\x01\x02\x03" {
			t.Fatalf("attachment 0 = %v", b)
		}
		if b := w.recvBin(); string(b) != "\x04\x05\x06" {
			t.Fatalf("attachment 1 = %v", b)
		}
	})
	t.Run("plain text event with ack", func(t *testing.T) {
		w := connected(t)
		w.send(`2456["message-with-ack",1,"2",{"3":[false]}]`)
		w.expect(`3456[1,"2",{"3":[false]}]`)
	})
	t.Run("binary event with ack", func(t *testing.T) {
		w := connected(t)
		w.send(`52-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		w.sendBin([]byte{1, 2, 3})
		w.sendBin([]byte{4, 5, 6})
		w.expect(`62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
		if b := w.recvBin(); string(b) != "\x01\x02\x03" {
			t.Fatalf("attachment 0 = %v", b)
		}
		if b := w.recvBin(); string(b) != "\x04\x05\x06" {
			t.Fatalf("attachment 1 = %v", b)
		}
	})
	for name, pkt := range map[string]string{
		"unknown packet type":    "abc",
		"invalid payload format": "2{}",
		"invalid ack id":         `2abc["message-with-ack",1,"2",{"3":[false]}]`,
	} {
		t.Run("close upon invalid format: "+name, func(t *testing.T) {
			w := connected(t)
			w.send(pkt)
			w.waitClosed()
		})
	}
}

func TestConnectTimeoutCloses(t *testing.T) {
	_, url := referenceServer(t, 100*time.Millisecond)
	w := dial(t, url)
	w.waitClosed()
}
