package eioproto_test

import (
	"bytes"
	"testing"

	"github.com/sockspec/sockspec/internal/eioproto"
)

func BenchmarkDecodePacket(b *testing.B) {
	frame := []byte(`42["chat message",{"text":"hello world","n":1}]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eioproto.DecodePacket(frame, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPacket(b *testing.B) {
	p := eioproto.Packet{Type: eioproto.Message, Data: []byte(`2["chat message",{"text":"hello world","n":1}]`)}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = eioproto.AppendPacket(buf[:0], p)
	}
}

func BenchmarkDecodePayload(b *testing.B) {
	rec := `42["chat message",{"text":"hello world","n":1}]`
	body := []byte(rec + "\x1e" + rec + "\x1e2\x1ebAQIDBAUGBwgJCgsMDQ4PEA==\x1e" + rec)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := eioproto.DecodePayload(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPayload(b *testing.B) {
	msg := []byte(`2["chat message",{"text":"hello world","n":1}]`)
	ps := []eioproto.Packet{{Type: eioproto.Message, Data: msg}, {Type: eioproto.Message, Data: bytes.Repeat([]byte{7}, 64), Binary: true}, {Type: eioproto.Ping}}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = eioproto.AppendPayload(buf[:0], ps)
	}
}
