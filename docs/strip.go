package docs

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// IsInternal reports whether an AsyncAPI specification extension names
// server internals that are not part of the public contract and is therefore
// removed from what the docs serve: "x-handler", "x-handlers" and every
// security function name such as "x-basicInfoFunc", "x-bearerInfoFunc",
// "x-apiKeyInfoFunc", "x-tokenInfoFunc" or "x-scopeValidateFunc" (any "x-"
// key ending in "Func").
func IsInternal(key string) bool {
	if !strings.HasPrefix(key, "x-") {
		return false
	}
	return key == "x-handler" || key == "x-handlers" || strings.HasSuffix(key, "Func")
}

// nameMaps are keys whose value is a map keyed by user-chosen names (schema
// property names, component names, channel names) rather than by AsyncAPI
// fields: a property called "x-handler" is data, not an extension.
var nameMaps = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "definitions": true,
	"dependentSchemas": true, "dependentRequired": true, "dependencies": true,
	"channels": true, "operations": true, "servers": true, "messages": true,
	"schemas": true, "securitySchemes": true, "parameters": true, "variables": true,
	"correlationIds": true, "operationTraits": true, "messageTraits": true,
	"serverBindings": true, "channelBindings": true, "operationBindings": true,
	"messageBindings": true, "x-messageAcks": true, "replies": true,
	"replyAddresses": true, "scopes": true,
	"availableScopes": true,
}

// dataKeys hold instance data (examples, defaults, enumerations), copied
// verbatim: nothing inside them is an extension.
var dataKeys = map[string]bool{
	"example": true, "examples": true, "default": true, "const": true, "enum": true,
}

// Strip returns a deep copy of doc without the internal extensions named by
// [IsInternal], as served by the docs handler when [Config.IncludeInternal]
// is false. The input is not modified. It returns an error naming the JSON
// pointer of the first value that is not JSON-compatible (a func, a channel,
// a NaN, a map with non-string keys).
func Strip(doc map[string]any) (map[string]any, error) {
	out, err := normalize(doc, "", true, false)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// normalize deep-copies v into plain JSON types (map[string]any, []any,
// string, bool, nil, float64/int64/uint64/json.Number), optionally dropping
// internal extensions.
func normalize(v any, ptr string, strip, names bool) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("docs: value at %q is not a JSON number: %v", ptrOrRoot(ptr), x)
		}
		return x, nil
	case float32:
		return normalize(float64(x), ptr, strip, names)
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint:
		return uint64(x), nil
	case uint8:
		return uint64(x), nil
	case uint16:
		return uint64(x), nil
	case uint32:
		return uint64(x), nil
	case uint64:
		return x, nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if strip && !names && IsInternal(k) {
				continue
			}
			child := ptr + "/" + escapePtr(k)
			var err error
			switch {
			case names:
				out[k], err = normalize(val, child, strip, false)
			case dataKeys[k]:
				out[k], err = normalize(val, child, false, false)
			default:
				out[k], err = normalize(val, child, strip, nameMaps[k])
			}
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("docs: map at %q has a non-string key %v", ptrOrRoot(ptr), k)
			}
			m[s] = val
		}
		return normalize(m, ptr, strip, names)
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			var err error
			if out[i], err = normalize(val, fmt.Sprintf("%s/%d", ptr, i), strip, false); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Typed slices and maps ([]string, map[string]string, ...) built by Go
	// code rather than a decoder.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte has no JSON-schema meaning here
		}
		s := make([]any, rv.Len())
		for i := range s {
			s[i] = rv.Index(i).Interface()
		}
		return normalize(s, ptr, strip, names)
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			m := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				m[it.Key().String()] = it.Value().Interface()
			}
			return normalize(m, ptr, strip, names)
		}
	}
	return nil, fmt.Errorf("docs: value at %q has type %T, which is not JSON-compatible", ptrOrRoot(ptr), v)
}

func escapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func ptrOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
