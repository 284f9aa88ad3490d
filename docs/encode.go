package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"
)

// keyRank orders well-known AsyncAPI and JSON Schema fields the way people
// write them, so the served JSON and YAML read top to bottom (a Go map has no
// order, and alphabetical order puts "channels" before "info"). Other keys
// follow alphabetically, extensions last.
var keyRank = func() map[string]int {
	order := []string{
		"asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations", "components",
		"$ref", "title", "version", "name", "summary", "description", "termsOfService", "contact", "license",
		"url", "host", "pathname", "protocol", "protocolVersion", "address", "action", "channel",
		"type", "in", "scheme", "bearerFormat", "flows", "openIdConnectUrl", "scopes",
		"publish", "subscribe", "operationId", "message", "messages", "reply",
		"contentType", "headers", "payload", "x-ack", "args",
		"format", "properties", "required", "items", "prefixItems", "additionalProperties",
		"oneOf", "anyOf", "allOf", "enum", "const", "default",
		"bindings", "security", "x-security", "examples", "tags", "externalDocs",
	}
	m := make(map[string]int, len(order))
	for i, k := range order {
		m[k] = i
	}
	return m
}()

func orderedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if r, ok := keyRank[k]; ok {
			return r
		}
		if len(k) > 2 && k[:2] == "x-" {
			return len(keyRank) + 1
		}
		return len(keyRank)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	return keys
}

// encodeJSON writes v (already normalised) as indented JSON in keyRank order.
func encodeJSON(v any) ([]byte, error) {
	var raw bytes.Buffer
	if err := writeJSON(&raw, v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("indent json: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case map[string]any:
		buf.WriteByte('{')
		for i, k := range orderedKeys(x) {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			buf.WriteByte(':')
			if err := writeJSON(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Errorf("encode json: %w", err)
		}
		buf.Write(b)
	}
	return nil
}

// encodeYAML writes v (already normalised) as YAML in keyRank order.
func encodeYAML(v any) ([]byte, error) {
	n, err := yamlNode(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return buf.Bytes(), nil
}

func yamlNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range orderedKeys(x) {
			kn := &yaml.Node{}
			if err := kn.Encode(k); err != nil {
				return nil, fmt.Errorf("encode yaml key %q: %w", k, err)
			}
			vn, err := yamlNode(x[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, kn, vn)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			en, err := yamlNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, en)
		}
		return n, nil
	case json.Number:
		tag := "!!float"
		if _, err := x.Int64(); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: x.String()}, nil
	default:
		n := &yaml.Node{}
		if err := n.Encode(x); err != nil {
			return nil, fmt.Errorf("encode yaml: %w", err)
		}
		return n, nil
	}
}
