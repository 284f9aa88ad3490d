package sioproto

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// isSpace reports JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just after the JSON value starting at b[i].
// b is assumed to be valid JSON; on malformed input it returns -1 rather
// than panicking.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		j := i
		for j < len(b) {
			c := b[j]
			if c == ',' || c == ']' || c == '}' || isSpace(c) {
				break
			}
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// skipString returns the index after the JSON string starting at b[i] ('"').
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// SplitArray appends to dst the elements of the JSON array arr, each a
// sub-slice of arr without surrounding whitespace, and returns the extended
// slice. arr must be valid JSON (the decoder guarantees it for EVENT and ACK
// payloads); otherwise ErrInvalidJSON or ErrInvalidPayload is returned.
func SplitArray(dst []json.RawMessage, arr []byte) ([]json.RawMessage, error) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return dst, ErrInvalidPayload
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return dst, nil
	}
	for i < len(arr) {
		end := skipValue(arr, i)
		if end < 0 {
			return dst, ErrInvalidJSON
		}
		dst = append(dst, json.RawMessage(arr[i:end:end]))
		i = skipSpace(arr, end)
		if i >= len(arr) {
			break
		}
		switch arr[i] {
		case ',':
			i = skipSpace(arr, i+1)
		case ']':
			return dst, nil
		default:
			return dst, ErrInvalidJSON
		}
	}
	return dst, ErrInvalidJSON
}

// firstElement returns the first element of a valid JSON array, or nil if the
// array is empty or arr is not an array.
func firstElement(arr []byte) []byte {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil
	}
	i = skipSpace(arr, i+1)
	if i >= len(arr) || arr[i] == ']' {
		return nil
	}
	end := skipValue(arr, i)
	if end < 0 {
		return nil
	}
	return arr[i:end]
}

// StringBytes returns the content of the JSON string raw. When raw has no
// escape sequences the result aliases raw (no allocation); ok is false when
// raw is not a valid JSON string.
func StringBytes(raw []byte) (s []byte, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	simple := true
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			simple = false
			break
		}
	}
	if simple && utf8.Valid(inner) {
		return inner, true
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return nil, false
	}
	return []byte(str), true
}

// EventName returns the event name of an EVENT payload (its first element),
// aliasing data when the name has no escapes. ok is false when the first
// element is missing or not a string (Node also allows numbers; their text is
// returned as is).
func EventName(data []byte) (name []byte, ok bool) {
	first := firstElement(data)
	if len(first) == 0 {
		return nil, false
	}
	if first[0] == '"' {
		return StringBytes(first)
	}
	if first[0] == '-' || (first[0] >= '0' && first[0] <= '9') {
		return first, true
	}
	return nil, false
}

type placeholder struct {
	Placeholder *bool    `json:"_placeholder"`
	Num         *float64 `json:"num"`
}

// maxPlaceholderLen bounds the size of an object inspected as a possible
// placeholder, which keeps the attachment scan linear in the payload size.
const maxPlaceholderLen = 256

// Placeholder reports whether raw is an attachment placeholder object
// {"_placeholder":true,"num":N} and returns N. An object with
// "_placeholder":true whose num is not a non-negative integer returns
// num = -1, ok = true (an invalid placeholder).
func Placeholder(raw []byte) (num int, ok bool) {
	if len(raw) < 2 || raw[0] != '{' || len(raw) > maxPlaceholderLen {
		return 0, false
	}
	if !containsPlaceholderKey(raw) {
		return 0, false
	}
	var p placeholder
	if err := json.Unmarshal(raw, &p); err != nil || p.Placeholder == nil || !*p.Placeholder {
		return 0, false
	}
	if p.Num == nil || *p.Num < 0 || *p.Num != math.Trunc(*p.Num) || *p.Num > 1<<31 {
		return -1, true
	}
	return int(*p.Num), true
}

func containsPlaceholderKey(b []byte) bool {
	const key = `"_placeholder"`
	for i := 0; i+len(key) <= len(b); i++ {
		if string(b[i:i+len(key)]) == key {
			return true
		}
	}
	return false
}

// walkPlaceholders calls fn for every placeholder object in the valid JSON
// value data, with its byte range. It stops at the first error fn returns.
func walkPlaceholders(data []byte, fn func(start, end, num int) error) error {
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			e := skipString(data, i)
			if e < 0 {
				return ErrInvalidJSON
			}
			i = e - 1
		case '{':
			e := skipValue(data, i)
			if e < 0 {
				return ErrInvalidJSON
			}
			if e-i <= maxPlaceholderLen {
				if num, ok := Placeholder(data[i:e]); ok {
					if err := fn(i, e, num); err != nil {
						return err
					}
					i = e - 1
				}
			}
		}
	}
	return nil
}

// checkPlaceholders verifies that every placeholder in data refers to one of
// n attachments.
func checkPlaceholders(data []byte, n int) error {
	return walkPlaceholders(data, func(_, _, num int) error {
		if num < 0 || num >= n {
			return ErrInvalidAttachments
		}
		return nil
	})
}

// AppendResolved appends data with every placeholder replaced by the
// attachment it refers to, as a base64 JSON string, so that the result can be
// unmarshalled with encoding/json into []byte fields. It returns
// ErrInvalidAttachments for a placeholder without attachment.
func AppendResolved(dst, data []byte, atts [][]byte) ([]byte, error) {
	last := 0
	err := walkPlaceholders(data, func(start, end, num int) error {
		if num < 0 || num >= len(atts) {
			return ErrInvalidAttachments
		}
		dst = append(dst, data[last:start]...)
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, atts[num])
		dst = append(dst, '"')
		last = end
		return nil
	})
	if err != nil {
		return dst, err
	}
	return append(dst, data[last:]...), nil
}

// AppendValue appends the JSON encoding of v to dst. Every []byte found at
// the top level or inside []any and map[string]any values is replaced by a
// placeholder {"_placeholder":true,"num":i} and appended to atts, whose
// extended value is returned. json.RawMessage is written verbatim after a
// validity check. Other types go through encoding/json (so a []byte inside a
// struct is base64 text, not an attachment).
func AppendValue(dst []byte, v any, atts [][]byte) ([]byte, [][]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), atts, nil
	case string:
		return AppendString(dst, x), atts, nil
	case bool:
		return strconv.AppendBool(dst, x), atts, nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), atts, nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), atts, nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), atts, nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), atts, nil
	case int64:
		return strconv.AppendInt(dst, x, 10), atts, nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), atts, nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), atts, nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), atts, nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), atts, nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), atts, nil
	case float64:
		return appendFloat(dst, x, 64, atts)
	case float32:
		return appendFloat(dst, float64(x), 32, atts)
	case json.RawMessage:
		if !json.Valid(x) {
			return dst, atts, fmt.Errorf("append value: %w", ErrInvalidJSON)
		}
		return append(dst, x...), atts, nil
	case []byte:
		dst = append(dst, `{"_placeholder":true,"num":`...)
		dst = strconv.AppendInt(dst, int64(len(atts)), 10)
		return append(dst, '}'), append(atts, x), nil
	case []any:
		dst = append(dst, '[')
		var err error
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, atts, err = AppendValue(dst, e, atts); err != nil {
				return dst, atts, err
			}
		}
		return append(dst, ']'), atts, nil
	case []string:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, e)
		}
		return append(dst, ']'), atts, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		var err error
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			if dst, atts, err = AppendValue(dst, x[k], atts); err != nil {
				return dst, atts, err
			}
		}
		return append(dst, '}'), atts, nil
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return dst, atts, fmt.Errorf("append value: %w", err)
		}
		return append(dst, b...), atts, nil
	}
}

func appendFloat(dst []byte, f float64, bits int, atts [][]byte) ([]byte, [][]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, atts, fmt.Errorf("append value: unsupported float %v", f)
	}
	// Same formatting as encoding/json (ES6 number to string).
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, atts, nil
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// HTML characters are not escaped (as JavaScript's JSON.stringify).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
