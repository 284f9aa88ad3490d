package mock_test

import (
	"testing"

	"github.com/sockspec/sockspec/client"
	"github.com/sockspec/sockspec/mock"
)

// BenchmarkAddUserAck measures a client→server event answered with a fake
// ack: validation of the event, generation and validation of the ack, over
// a WebSocket.
func BenchmarkAddUserAck(b *testing.B) {
	doc := loadB(b, chatFile)
	_, base := startB(b, doc, mock.Config{Interval: -1})
	s := dialB(b, base)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.EmitWithAck(b.Context(), "add user", "alice"); err != nil {
			b.Fatal(err)
		}
	}
}

func dialB(b *testing.B, base string) *client.Socket {
	mgr, err := client.NewManager(base, client.Config{Transports: []client.Transport{client.WebSocket}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { mgr.Close() })
	s := mgr.Socket("/", nil)
	if err := s.Connect(b.Context()); err != nil {
		b.Fatal(err)
	}
	return s
}
