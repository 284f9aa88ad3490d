package eioproto

import (
	"bytes"
	"fmt"
)

// AppendPayload appends the polling payload form of ps to dst: each packet's text form
// (see [AppendPacket]) joined by [Separator]. Text data must not contain '\x1e' (a protocol
// limitation; the Socket.IO layer never produces it unescaped).
func AppendPayload(dst []byte, ps []Packet) []byte {
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, Separator)
		}
		dst = AppendPacket(dst, p)
	}
	return dst
}

// DecodePayload decodes an HTTP long-polling body into its packets. An empty body, an empty
// record or an invalid record is an error wrapping [ErrInvalidPacket]. Text packets' Data aliases
// body.
func DecodePayload(body []byte) ([]Packet, error) {
	n := bytes.Count(body, []byte{Separator}) + 1
	ps := make([]Packet, 0, n)
	for len(body) > 0 || len(ps) < n {
		rec := body
		if i := bytes.IndexByte(body, Separator); i >= 0 {
			rec, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		p, err := DecodePacket(rec, false)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(ps), err)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// EachPacket decodes a polling body record by record and calls fn for each packet, without
// allocating a slice. It stops at the first decoding error or the first error fn returns.
// Records decoded before an invalid one have already been passed to fn.
func EachPacket(body []byte, fn func(Packet) error) error {
	i := 0
	for {
		rec := body
		last := true
		if j := bytes.IndexByte(body, Separator); j >= 0 {
			rec, body, last = body[:j], body[j+1:], false
		}
		p, err := DecodePacket(rec, false)
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if err := fn(p); err != nil {
			return err
		}
		if last {
			return nil
		}
		i++
	}
}
