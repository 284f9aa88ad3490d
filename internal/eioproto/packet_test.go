package eioproto_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sockspec/sockspec/internal/eioproto"
)

func TestDecodePacket(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		binary  bool
		want    eioproto.Packet
		wantErr bool
	}{
		{name: "message (doc)", in: "4hello", want: eioproto.Packet{Type: eioproto.Message, Data: []byte("hello")}},
		{name: "ping", in: "2", want: eioproto.Packet{Type: eioproto.Ping}},
		{name: "probe", in: "2probe", want: eioproto.Packet{Type: eioproto.Ping, Data: []byte("probe")}},
		{name: "pong probe", in: "3probe", want: eioproto.Packet{Type: eioproto.Pong, Data: []byte("probe")}},
		{name: "upgrade", in: "5", want: eioproto.Packet{Type: eioproto.Upgrade}},
		{name: "noop", in: "6", want: eioproto.Packet{Type: eioproto.Noop}},
		{name: "close", in: "1", want: eioproto.Packet{Type: eioproto.Close}},
		{name: "open", in: `0{"sid":"x"}`, want: eioproto.Packet{Type: eioproto.Open, Data: []byte(`{"sid":"x"}`)}},
		{name: "utf8 message", in: "4€", want: eioproto.Packet{Type: eioproto.Message, Data: []byte("€")}},
		{name: "base64 (doc)", in: "bAQIDBA==", want: eioproto.Packet{Type: eioproto.Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{name: "empty base64", in: "b", want: eioproto.Packet{Type: eioproto.Message, Data: []byte{}, Binary: true}},
		{name: "binary frame (doc)", in: "\x01\x02\x03\x04", binary: true, want: eioproto.Packet{Type: eioproto.Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{name: "empty", in: "", wantErr: true},
		{name: "unknown type 7", in: "7", wantErr: true},
		{name: "unknown type letter", in: "x", wantErr: true},
		{name: "bad base64", in: "b!!!", wantErr: true},
		{name: "truncated base64", in: "bAQI", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eioproto.DecodePacket([]byte(tt.in), tt.binary)
			if tt.wantErr {
				if !errors.Is(err, eioproto.ErrInvalidPacket) {
					t.Fatalf("err = %v, want ErrInvalidPacket", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAppendPacket(t *testing.T) {
	tests := []struct {
		name string
		in   eioproto.Packet
		want string
	}{
		{"message", eioproto.Packet{Type: eioproto.Message, Data: []byte("hello")}, "4hello"},
		{"binary", eioproto.Packet{Type: eioproto.Message, Data: []byte{1, 2, 3, 4}, Binary: true}, "bAQIDBA=="},
		{"ping", eioproto.Packet{Type: eioproto.Ping}, "2"},
		{"pong probe", eioproto.Packet{Type: eioproto.Pong, Data: []byte("probe")}, "3probe"},
		{"noop", eioproto.Packet{Type: eioproto.Noop}, "6"},
		// Binary is ignored for types other than message.
		{"binary ping", eioproto.Packet{Type: eioproto.Ping, Binary: true}, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := eioproto.AppendPacket([]byte("x"), tt.in)
			if string(got) != "x"+tt.want {
				t.Fatalf("got %q, want %q", got, "x"+tt.want)
			}
			if n := eioproto.PacketLen(tt.in); n != len(tt.want) {
				t.Fatalf("PacketLen = %d, want %d", n, len(tt.want))
			}
		})
	}
}

func TestPayload(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []eioproto.Packet
		wantErr bool
	}{
		{name: "doc example", in: "4hello\x1e2\x1e4world", want: []eioproto.Packet{
			{Type: eioproto.Message, Data: []byte("hello")},
			{Type: eioproto.Ping},
			{Type: eioproto.Message, Data: []byte("world")},
		}},
		{name: "doc binary example", in: "4hello\x1ebAQIDBA==", want: []eioproto.Packet{
			{Type: eioproto.Message, Data: []byte("hello")},
			{Type: eioproto.Message, Data: []byte{1, 2, 3, 4}, Binary: true},
		}},
		{name: "single", in: "6", want: []eioproto.Packet{{Type: eioproto.Noop}}},
		{name: "empty body", in: "", wantErr: true},
		{name: "trailing separator", in: "4a\x1e", wantErr: true},
		{name: "leading separator", in: "\x1e4a", wantErr: true},
		{name: "double separator", in: "4a\x1e\x1e4b", wantErr: true},
		{name: "bad record", in: "4a\x1e9", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eioproto.DecodePayload([]byte(tt.in))
			var each []eioproto.Packet
			eachErr := eioproto.EachPacket([]byte(tt.in), func(p eioproto.Packet) error { each = append(each, p); return nil })
			if tt.wantErr {
				if !errors.Is(err, eioproto.ErrInvalidPacket) || !errors.Is(eachErr, eioproto.ErrInvalidPacket) {
					t.Fatalf("err = %v / %v, want ErrInvalidPacket", err, eachErr)
				}
				return
			}
			if err != nil || eachErr != nil {
				t.Fatal(err, eachErr)
			}
			if len(got) != len(tt.want) || len(each) != len(tt.want) {
				t.Fatalf("got %d/%d packets, want %d", len(got), len(each), len(tt.want))
			}
			for i := range got {
				if !equal(got[i], tt.want[i]) || !equal(each[i], tt.want[i]) {
					t.Fatalf("packet %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if enc := eioproto.AppendPayload(nil, tt.want); string(enc) != tt.in {
				t.Fatalf("encode = %q, want %q", enc, tt.in)
			}
		})
	}
}

func TestEachPacketStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := eioproto.EachPacket([]byte("4a\x1e4b\x1e4c"), func(eioproto.Packet) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err=%v n=%d", err, n)
	}
}

func TestAllocs(t *testing.T) {
	frame := []byte("4hello world")
	if a := testing.AllocsPerRun(100, func() { _, _ = eioproto.DecodePacket(frame, false) }); a != 0 {
		t.Errorf("DecodePacket text allocs = %v, want 0", a)
	}
	buf := make([]byte, 0, 64)
	p := eioproto.Packet{Type: eioproto.Message, Data: []byte{1, 2, 3, 4}, Binary: true}
	if a := testing.AllocsPerRun(100, func() { buf = eioproto.AppendPacket(buf[:0], p) }); a != 0 {
		t.Errorf("AppendPacket allocs = %v, want 0", a)
	}
	body := []byte("4hello\x1e2\x1e4world")
	if a := testing.AllocsPerRun(100, func() { _, _ = eioproto.DecodePayload(body) }); a != 1 {
		t.Errorf("DecodePayload allocs = %v, want 1", a)
	}
}

func equal(a, b eioproto.Packet) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data)
}
