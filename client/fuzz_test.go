package client

import (
	"encoding/json"
	"testing"

	"github.com/sockspec/sockspec/internal/eioproto"
)

// FuzzArgs checks that received arguments never panic in Len, Raw, Value and Unmarshal,
// whatever the payload and attachments.
func FuzzArgs(f *testing.F) {
	f.Add([]byte(`["ev",1,"two",{"three":[3]}]`), []byte{})
	f.Add([]byte(`["ev",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}]]`), []byte{1, 2, 3})
	f.Add([]byte(`["ev",{"_placeholder":true,"num":-1},{"_placeholder":true}]`), []byte{0})
	f.Add([]byte(`[]`), []byte(nil))
	f.Fuzz(func(t *testing.T, data, att []byte) {
		a, err := newArgs(json.RawMessage(data), [][]byte{att, att[:len(att)/2]}, 1)
		if err != nil {
			return
		}
		for i := -1; i <= a.Len(); i++ {
			_ = a.Raw(i)
			_, _ = a.Value(i)
			var v any
			_ = a.Unmarshal(i, &v)
			var b []byte
			_ = a.Unmarshal(i, &b)
		}
	})
}

// FuzzHandshake checks the Engine.IO open packet parser.
func FuzzHandshake(f *testing.F) {
	f.Add([]byte(`0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`))
	f.Add([]byte(`0{"sid":"x","pingInterval":-1,"pingTimeout":1}`))
	f.Add([]byte(`0`))
	f.Add([]byte(`4hello`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		p, err := eioproto.DecodePacket(frame, false)
		if err != nil {
			return
		}
		hs, err := parseOpen(p)
		if err != nil {
			return
		}
		if hs.SID == "" || hs.PingInterval <= 0 || hs.PingTimeout <= 0 || hs.MaxPayload <= 0 {
			t.Fatalf("accepted invalid handshake %+v", hs)
		}
	})
}
