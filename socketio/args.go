package socketio

import (
	"bytes"
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

// Value returns argument i ready to be emitted again: the raw JSON when it
// holds no binary data, otherwise a tree of map[string]any, []any and
// scalars in which each placeholder is its []byte attachment.
func (a Args) Value(i int) (any, error) {
	if i < 0 || i >= len(a.raw) {
		return nil, fmt.Errorf("argument %d: only %d arguments", i, len(a.raw))
	}
	raw := a.raw[i]
	if len(a.atts) == 0 || !bytes.Contains(raw, []byte(`"_placeholder"`)) {
		return raw, nil
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("argument %d: %w", i, err)
	}
	return resolve(v, a.atts)
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

func resolve(v any, atts [][]byte) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if p, ok := x["_placeholder"].(bool); ok && p {
			if n, ok := x["num"].(json.Number); ok {
				if i, err := n.Int64(); err == nil && i >= 0 && int(i) < len(atts) {
					return atts[i], nil
				}
			}
			return nil, sioproto.ErrInvalidAttachments
		}
		for k, e := range x {
			r, err := resolve(e, atts)
			if err != nil {
				return nil, err
			}
			x[k] = r
		}
		return x, nil
	case []any:
		for k, e := range x {
			r, err := resolve(e, atts)
			if err != nil {
				return nil, err
			}
			x[k] = r
		}
		return x, nil
	case json.Number:
		return json.RawMessage(x), nil
	default:
		return v, nil
	}
}
