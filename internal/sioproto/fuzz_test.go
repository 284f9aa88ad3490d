package sioproto_test

import (
	"bytes"
	"testing"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// FuzzSocketIOPacket feeds a text message and binary attachments (bin split
// on '|') to a Decoder. Decoding must never panic, and a decoded packet must
// survive encode -> decode unchanged.
func FuzzSocketIOPacket(f *testing.F) {
	for _, v := range specVectors {
		f.Add(v.encoded, bytes.Join(v.atts, []byte("|")))
	}
	f.Add(`42abc["message-with-ack",1,"2",{"3":[false]}]`, []byte(nil))
	f.Add(`52-["a",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`, []byte("x|y"))
	f.Add(`0/custom,{"token":"abc"}`, []byte(nil))
	f.Fuzz(func(t *testing.T, text string, bin []byte) {
		var d sioproto.Decoder
		p, done, err := d.Decode([]byte(text), false)
		if err != nil {
			return
		}
		var atts [][]byte
		if !done {
			atts = bytes.Split(bin, []byte("|"))
			for _, a := range atts {
				p, done, err = d.Decode(a, true)
				if err != nil || done {
					break
				}
			}
			if err != nil || !done {
				return
			}
		}
		enc := sioproto.AppendPacket(nil, &p)
		var d2 sioproto.Decoder
		q, done, err := d2.Decode(enc, false)
		for i := 0; err == nil && !done && i < len(p.Attachments); i++ {
			q, done, err = d2.Decode(p.Attachments[i], true)
		}
		if err != nil || !done {
			t.Fatalf("re-decode of %q (from %q): done=%v err=%v", enc, text, done, err)
		}
		if !equalPacket(p, q) {
			t.Fatalf("round trip of %q: %+v != %+v", text, p, q)
		}
	})
}
