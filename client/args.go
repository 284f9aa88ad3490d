package client

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// Args are the arguments of a received event or ack. Binary attachments are kept apart and
// resolved by Unmarshal and Value. Args own their memory: they stay valid after the handler
// returns. The zero value has no arguments.
type Args struct {
	raw  []json.RawMessage
	atts [][]byte
}

func newArgs(data json.RawMessage, atts [][]byte, skip int) (Args, error) {
	raw, err := sioproto.SplitArray(nil, data)
	if err != nil {
		return Args{}, err
	}
	if skip > len(raw) {
		skip = len(raw)
	}
	return Args{raw: raw[skip:], atts: atts}, nil
}

// Len returns the number of arguments.
func (a Args) Len() int { return len(a.raw) }

// Raw returns argument i as received, binary placeholders included
// ({"_placeholder":true,"num":n}), or nil when i is out of range.
func (a Args) Raw(i int) json.RawMessage {
	if i < 0 || i >= len(a.raw) {
		return nil
	}
	return a.raw[i]
}

// Attachments returns the binary attachments of the packet, in placeholder order.
func (a Args) Attachments() [][]byte { return a.atts }

// errArgRange is returned for an argument index out of range.
var errArgRange = errors.New("client: argument index out of range")

// Unmarshal decodes argument i into v with encoding/json. A binary argument unmarshals into a
// *[]byte; binary values nested in objects or arrays unmarshal into []byte fields (they are
// presented to encoding/json as base64 strings).
func (a Args) Unmarshal(i int, v any) error {
	if i < 0 || i >= len(a.raw) {
		return fmt.Errorf("%w: %d of %d", errArgRange, i, len(a.raw))
	}
	raw := []byte(a.raw[i])
	if len(a.atts) > 0 {
		if n, ok := sioproto.Placeholder(raw); ok && n >= 0 && n < len(a.atts) {
			if p, ok := v.(*[]byte); ok {
				*p = a.atts[n]
				return nil
			}
		}
		var err error
		if raw, err = sioproto.AppendResolved(nil, raw, a.atts); err != nil {
			return fmt.Errorf("client: argument %d: %w", i, err)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("client: argument %d: %w", i, err)
	}
	return nil
}

// Value decodes argument i into a generic value, as encoding/json decodes into an any (nil,
// bool, float64, string, []any, map[string]any), with every binary attachment as its []byte;
// the socketio package's Args.Value does the same. A placeholder without attachment is an
// error, as for Unmarshal. Use Raw for the JSON as received (numbers that float64 cannot hold
// exactly) and Unmarshal for a typed value.
func (a Args) Value(i int) (any, error) {
	if i < 0 || i >= len(a.raw) {
		return nil, fmt.Errorf("%w: %d of %d", errArgRange, i, len(a.raw))
	}
	v, err := sioproto.DecodeValue(a.raw[i], a.atts)
	if err != nil {
		return nil, fmt.Errorf("client: argument %d: %w", i, err)
	}
	return v, nil
}

// Values decodes every argument with Value.
func (a Args) Values() ([]any, error) {
	out := make([]any, len(a.raw))
	for i := range a.raw {
		v, err := a.Value(i)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
