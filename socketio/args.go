package socketio

import (
	"encoding/json"
	"fmt"

	"github.com/sockspec/sockspec/internal/sioproto"
)

// Args are the arguments of a received event or ack, without the event
// name. Each argument is kept as the JSON text received (json.RawMessage);
// for binary packets the attachments are kept aside and the JSON holds
// placeholders until an argument is decoded with [Args.Unmarshal] or
// [Args.Value].
//
// The raw JSON belongs to the received message and is not modified by the
// server; Args may be retained after the handler returns. The zero Args has
// no arguments.
type Args struct {
	raw  []json.RawMessage
	atts [][]byte
}

// NewArgs builds Args from raw JSON values and binary attachments, as the
// decoder does; it is meant for tests and for adapters that rebuild events.
func NewArgs(raw []json.RawMessage, attachments [][]byte) Args {
	return Args{raw: raw, atts: attachments}
}

// Len returns the number of arguments.
func (a Args) Len() int { return len(a.raw) }

// Raw returns argument i as received (placeholders included for binary
// packets), or nil when i is out of range.
func (a Args) Raw(i int) json.RawMessage {
	if i < 0 || i >= len(a.raw) {
		return nil
	}
	return a.raw[i]
}

// Binary reports whether the arguments came with binary attachments.
func (a Args) Binary() bool { return len(a.atts) > 0 }

// Attachments returns the binary attachments, in placeholder order.
func (a Args) Attachments() [][]byte { return a.atts }

// Unmarshal decodes argument i into v with encoding/json. Placeholders are
// replaced by their attachment first, encoded as base64 JSON strings, so a
// []byte destination receives the attachment's bytes.
func (a Args) Unmarshal(i int, v any) error {
	if i < 0 || i >= len(a.raw) {
		return fmt.Errorf("unmarshal argument %d: only %d arguments", i, len(a.raw))
	}
	raw := a.raw[i]
	if len(a.atts) > 0 {
		var err error
		if raw, err = sioproto.AppendResolved(nil, raw, a.atts); err != nil {
			return fmt.Errorf("unmarshal argument %d: %w", i, err)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("unmarshal argument %d: %w", i, err)
	}
	return nil
}

// Value decodes argument i into a generic value, as encoding/json decodes
// into an any (nil, bool, float64, string, []any, map[string]any), with every
// binary attachment as its []byte; the client package's Args.Value does the
// same. The value can be emitted again (the []byte values go back out as
// attachments). To forward an argument untouched, use [Args.Raw] instead:
// it costs no decoding and keeps numbers that float64 cannot hold exactly.
func (a Args) Value(i int) (any, error) {
	if i < 0 || i >= len(a.raw) {
		return nil, fmt.Errorf("argument %d: only %d arguments", i, len(a.raw))
	}
	v, err := sioproto.DecodeValue(a.raw[i], a.atts)
	if err != nil {
		return nil, fmt.Errorf("argument %d: %w", i, err)
	}
	return v, nil
}

// Values returns every argument as [Args.Value] does, so an event or ack can
// be echoed: s.Emit(ctx, "message-back", args.Values()...). Arguments that
// fail to decode (a placeholder without attachment) are returned as null.
func (a Args) Values() []any {
	out := make([]any, len(a.raw))
	for i := range a.raw {
		v, err := a.Value(i)
		if err == nil {
			out[i] = v
		}
	}
	return out
}
