package fastschema

import (
	"encoding/json"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// ValidJSON reports whether the JSON text data is valid, scanning it once
// without building a value. False may also mean "not sure" (malformed JSON,
// escapes it does not decode, more than 64 required properties...): run the
// full validator on the decoded value then.
func (s *Schema) ValidJSON(data []byte) bool {
	i := ws(data, 0)
	end, ok := s.vb(data, i, 0)
	if !ok {
		return false
	}
	return ws(data, end) == len(data)
}

func ws(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// vb validates the value at d[i:] and returns the index after it.
func (s *Schema) vb(d []byte, i, depth int) (int, bool) {
	if depth > 256 || i >= len(d) || s.never {
		return 0, false
	}
	if s.always {
		return skip(d, i, depth)
	}
	if s.ref != nil {
		if _, ok := s.ref.vb(d, i, depth+1); !ok {
			return 0, false
		}
	}
	end, ok := s.own(d, i, depth)
	if !ok {
		return 0, false
	}
	if s.enum != nil || s.hasConst {
		var v any
		if json.Unmarshal(d[i:end], &v) != nil {
			return 0, false
		}
		if s.hasConst && !equal(v, s.constV) {
			return 0, false
		}
		if s.enum != nil {
			found := false
			for _, e := range s.enum {
				if equal(v, e) {
					found = true
					break
				}
			}
			if !found {
				return 0, false
			}
		}
	}
	for _, a := range s.allOf {
		if _, ok := a.vb(d, i, depth+1); !ok {
			return 0, false
		}
	}
	if s.anyOf != nil {
		ok := false
		for _, a := range s.anyOf {
			if _, ok = a.vb(d, i, depth+1); ok {
				break
			}
		}
		if !ok {
			return 0, false
		}
	}
	if s.oneOf != nil {
		n := 0
		for _, a := range s.oneOf {
			if _, ok := a.vb(d, i, depth+1); ok {
				n++
			}
		}
		if n != 1 {
			return 0, false
		}
	}
	if s.not != nil {
		if _, ok := s.not.vb(d, i, depth+1); ok {
			return 0, false
		}
	}
	return end, true
}

// own checks the type and the type-specific keywords while scanning the value.
func (s *Schema) own(d []byte, i, depth int) (int, bool) {
	switch c := d[i]; {
	case c == '{':
		if !s.typeOK(typeObj) {
			return 0, false
		}
		return s.objectBytes(d, i, depth)
	case c == '[':
		if !s.typeOK(typeArr) {
			return 0, false
		}
		return s.arrayBytes(d, i, depth)
	case c == '"':
		if !s.typeOK(typeStr) {
			return 0, false
		}
		end, str, ok := scanString(d, i)
		if !ok || !s.str(str) {
			return 0, false
		}
		return end, true
	case c == 't':
		return literal(d, i, "true", s.typeOK(typeBool))
	case c == 'f':
		return literal(d, i, "false", s.typeOK(typeBool))
	case c == 'n':
		return literal(d, i, "null", s.typeOK(typeNull))
	case c == '-' || (c >= '0' && c <= '9'):
		end, f, ok := scanNumber(d, i)
		if !ok || !s.number(f) {
			return 0, false
		}
		return end, true
	}
	return 0, false
}

func literal(d []byte, i int, lit string, typeOK bool) (int, bool) {
	if !typeOK || len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

func (s *Schema) objectBytes(d []byte, i, depth int) (int, bool) {
	if s.required != nil && s.reqIdx == nil {
		return 0, false
	}
	var seen uint64
	n := 0
	i = ws(d, i+1)
	if i < len(d) && d[i] == '}' {
		i++
	} else {
		for {
			if i >= len(d) || d[i] != '"' {
				return 0, false
			}
			end, key, ok := scanString(d, i)
			if !ok {
				return 0, false
			}
			i = ws(d, end)
			if i >= len(d) || d[i] != ':' {
				return 0, false
			}
			i = ws(d, i+1)
			n++
			sub := s.addl
			if k, ok := s.keys[key]; ok {
				if k.bit >= 0 {
					seen |= 1 << k.bit
				}
				if k.prop != nil {
					sub = k.prop
				}
			}
			if sub != nil {
				end, ok = sub.vb(d, i, depth+1)
			} else {
				end, ok = skip(d, i, depth+1)
			}
			if !ok {
				return 0, false
			}
			i = ws(d, end)
			if i < len(d) && d[i] == ',' {
				i = ws(d, i+1)
				continue
			}
			if i < len(d) && d[i] == '}' {
				i++
				break
			}
			return 0, false
		}
	}
	if n < s.minProps || (s.maxProps >= 0 && n > s.maxProps) {
		return 0, false
	}
	if s.reqIdx != nil && bits.OnesCount64(seen) != len(s.reqIdx) {
		return 0, false
	}
	return i, true
}

func (s *Schema) arrayBytes(d []byte, i, depth int) (int, bool) {
	n := 0
	i = ws(d, i+1)
	if i < len(d) && d[i] == ']' {
		i++
	} else {
		for {
			var sub *Schema
			if n < len(s.prefix) {
				sub = s.prefix[n]
			} else {
				sub = s.items
			}
			var end int
			var ok bool
			if sub != nil {
				end, ok = sub.vb(d, i, depth+1)
			} else {
				end, ok = skip(d, i, depth+1)
			}
			if !ok {
				return 0, false
			}
			n++
			i = ws(d, end)
			if i < len(d) && d[i] == ',' {
				i = ws(d, i+1)
				continue
			}
			if i < len(d) && d[i] == ']' {
				i++
				break
			}
			return 0, false
		}
	}
	if n < s.minItems || (s.maxItems >= 0 && n > s.maxItems) {
		return 0, false
	}
	return i, true
}

// special marks the bytes scanString must look at: the quote, the
// backslash, control characters and non-ASCII bytes.
var special = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// scanString scans the string at d[i] (a '"'). The returned string aliases d
// when there is no escape; it is only valid while d is.
func scanString(d []byte, i int) (int, string, bool) {
	j := i + 1
	escaped, ascii := false, true
	for j < len(d) {
		c := d[j]
		if !special[c] {
			j++
			continue
		}
		switch {
		case c == '"':
			raw := d[i+1 : j]
			if escaped {
				var str string
				if json.Unmarshal(d[i:j+1], &str) != nil {
					return 0, "", false
				}
				return j + 1, str, true
			}
			if !ascii && !utf8.Valid(raw) {
				return 0, "", false
			}
			return j + 1, unsafe.String(unsafe.SliceData(raw), len(raw)), true
		case c == '\\':
			escaped = true
			j += 2
			continue
		case c < 0x20:
			return 0, "", false
		}
		ascii = false
		j++
	}
	return 0, "", false
}

// scanNumber scans a JSON number and returns its float64 value.
func scanNumber(d []byte, i int) (int, float64, bool) {
	j := i
	if j < len(d) && d[j] == '-' {
		j++
	}
	if j >= len(d) {
		return 0, 0, false
	}
	if d[j] == '0' {
		j++
	} else if d[j] >= '1' && d[j] <= '9' {
		for j < len(d) && d[j] >= '0' && d[j] <= '9' {
			j++
		}
	} else {
		return 0, 0, false
	}
	if j < len(d) && d[j] == '.' {
		j++
		k := j
		for j < len(d) && d[j] >= '0' && d[j] <= '9' {
			j++
		}
		if j == k {
			return 0, 0, false
		}
	}
	if j < len(d) && (d[j] == 'e' || d[j] == 'E') {
		j++
		if j < len(d) && (d[j] == '+' || d[j] == '-') {
			j++
		}
		k := j
		for j < len(d) && d[j] >= '0' && d[j] <= '9' {
			j++
		}
		if j == k {
			return 0, 0, false
		}
	}
	raw := d[i:j]
	if f, ok := smallInt(raw); ok {
		return j, f, true
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, 0, false
	}
	return j, f, true
}

// skip scans any JSON value and returns the index after it.
func skip(d []byte, i, depth int) (int, bool) {
	if depth > 256 || i >= len(d) {
		return 0, false
	}
	switch c := d[i]; {
	case c == '{':
		i = ws(d, i+1)
		if i < len(d) && d[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(d) || d[i] != '"' {
				return 0, false
			}
			end, _, ok := scanString(d, i)
			if !ok {
				return 0, false
			}
			i = ws(d, end)
			if i >= len(d) || d[i] != ':' {
				return 0, false
			}
			if end, ok = skip(d, ws(d, i+1), depth+1); !ok {
				return 0, false
			}
			i = ws(d, end)
			if i < len(d) && d[i] == ',' {
				i = ws(d, i+1)
				continue
			}
			if i < len(d) && d[i] == '}' {
				return i + 1, true
			}
			return 0, false
		}
	case c == '[':
		i = ws(d, i+1)
		if i < len(d) && d[i] == ']' {
			return i + 1, true
		}
		for {
			end, ok := skip(d, i, depth+1)
			if !ok {
				return 0, false
			}
			i = ws(d, end)
			if i < len(d) && d[i] == ',' {
				i = ws(d, i+1)
				continue
			}
			if i < len(d) && d[i] == ']' {
				return i + 1, true
			}
			return 0, false
		}
	case c == '"':
		end, _, ok := scanString(d, i)
		return end, ok
	case c == 't':
		return literal(d, i, "true", true)
	case c == 'f':
		return literal(d, i, "false", true)
	case c == 'n':
		return literal(d, i, "null", true)
	case c == '-' || (c >= '0' && c <= '9'):
		end, _, ok := scanNumber(d, i)
		return end, ok
	}
	return 0, false
}

// smallInt converts an integer of at most 15 digits (exact in a float64)
// without strconv.
func smallInt(raw []byte) (float64, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	digits := raw
	if neg {
		digits = raw[1:]
	}
	if len(digits) == 0 || len(digits) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return float64(n), true
}
