package eioproto_test

import (
	"bytes"
	"testing"

	"github.com/sockspec/sockspec/internal/eioproto"
)

func FuzzEngineIOPacket(f *testing.F) {
	for _, s := range []string{"4hello", "2", "2probe", "3probe", "5", "6", "1", `0{"sid":"x","upgrades":[]}`, "bAQIDBA==", "b", "", "7", "4€"} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte{1, 2, 3, 4}, true)
	f.Fuzz(func(t *testing.T, in []byte, binary bool) {
		p, err := eioproto.DecodePacket(in, binary)
		if err != nil {
			return
		}
		var enc []byte
		if binary {
			enc = p.Data
		} else {
			enc = eioproto.AppendPacket(nil, p)
		}
		if len(enc) != eioproto.PacketLen(p) && !binary {
			t.Fatalf("PacketLen mismatch for %q", enc)
		}
		q, err := eioproto.DecodePacket(enc, binary)
		if err != nil {
			t.Fatalf("re-decode %q: %v", enc, err)
		}
		if !equal(p, q) {
			t.Fatalf("round trip: %+v != %+v", p, q)
		}
	})
}

func FuzzPollingPayload(f *testing.F) {
	for _, s := range []string{"4hello\x1e2\x1e4world", "4hello\x1ebAQIDBA==", "6", "", "4a\x1e", "\x1e", "b\x1eb"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ps, err := eioproto.DecodePayload(in)
		if err != nil {
			return
		}
		enc := eioproto.AppendPayload(nil, ps)
		qs, err := eioproto.DecodePayload(enc)
		if err != nil {
			t.Fatalf("re-decode %q: %v", enc, err)
		}
		if len(ps) != len(qs) {
			t.Fatalf("round trip count %d != %d", len(ps), len(qs))
		}
		for i := range ps {
			if !equal(ps[i], qs[i]) {
				t.Fatalf("record %d: %+v != %+v", i, ps[i], qs[i])
			}
		}
		if !bytes.Equal(enc, eioproto.AppendPayload(nil, qs)) {
			t.Fatal("encoding not stable")
		}
	})
}
