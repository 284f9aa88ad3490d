package sioproto

import (
	"bytes"
	"encoding/json"
)

// DecodeValue decodes raw like json.Unmarshal into an any (nil, bool,
// float64, string, []any, map[string]any), except that an attachment
// placeholder (see [Placeholder]) becomes its attachment, a []byte. A
// placeholder without a matching attachment is [ErrInvalidAttachments]. The
// server's and the client's Args.Value share it, so both sides decode alike.
func DecodeValue(raw []byte, atts [][]byte) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(atts) > 0 && len(raw) > 0 && bytes.Contains(raw, []byte(`"_placeholder"`)) {
		switch raw[0] {
		case '{':
			if n, ok := Placeholder(raw); ok {
				if n < 0 || n >= len(atts) {
					return nil, ErrInvalidAttachments
				}
				return atts[n], nil
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			out := make(map[string]any, len(m))
			for k, e := range m {
				v, err := DecodeValue(e, atts)
				if err != nil {
					return nil, err
				}
				out[k] = v
			}
			return out, nil
		case '[':
			var l []json.RawMessage
			if err := json.Unmarshal(raw, &l); err != nil {
				return nil, err
			}
			out := make([]any, len(l))
			for k, e := range l {
				v, err := DecodeValue(e, atts)
				if err != nil {
					return nil, err
				}
				out[k] = v
			}
			return out, nil
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}
