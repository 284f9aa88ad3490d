package asyncapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
)

func findCode(err error, code string) *asyncapi.Finding {
	var inv *asyncapi.InvalidError
	if !errors.As(err, &inv) {
		return nil
	}
	for i, f := range inv.Findings {
		if f.Code == code {
			return &inv.Findings[i]
		}
	}
	return nil
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("deep nesting", func(t *testing.T) {
		doc := "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nx-deep: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
		_, err := asyncapi.Parse(ctx, "deep.yaml", []byte(doc), asyncapi.Config{})
		f := findCode(err, "limit")
		if f == nil || !strings.Contains(f.Message, "too deep") || f.Line != 3 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("alias bomb", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nx-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 10; i++ {
			b.WriteString("x-a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
			for j := 0; j < 10; j++ {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("*a" + string(rune('0'+i-1)))
			}
			b.WriteString("]\n")
		}
		_, err := asyncapi.Parse(ctx, "bomb.yaml", []byte(b.String()), asyncapi.Config{})
		f := findCode(err, "limit")
		if f == nil || !strings.Contains(f.Message, "aliases expand") {
			t.Fatalf("alias bomb: %v", err)
		}
	})
	t.Run("file size", func(t *testing.T) {
		_, err := asyncapi.Parse(ctx, "big.yaml", make([]byte, 2048), asyncapi.Config{MaxFileSize: 1024})
		if !errors.Is(err, asyncapi.ErrTooLarge) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ref budget", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels:\n  /:\n    publish:\n      message:\n        $ref: '#/components/messages/m0'\ncomponents:\n  messages:\n")
		for i := 0; i < 50; i++ {
			b.WriteString("    m" + itoa(i) + ":\n      $ref: '#/components/messages/m" + itoa(i+1) + "'\n")
		}
		b.WriteString("    m50:\n      name: end\n")
		_, err := asyncapi.Parse(ctx, "refs.yaml", []byte(b.String()), asyncapi.Config{MaxRefs: 20})
		if findCode(err, "ref-limit") == nil {
			t.Fatalf("got %v", err)
		}
		if _, err := asyncapi.Parse(ctx, "refs.yaml", []byte(b.String()), asyncapi.Config{}); err != nil {
			t.Fatalf("a 51-long chain within the default limits: %v", err)
		}
	})
	t.Run("self alias", func(t *testing.T) {
		_, err := asyncapi.Parse(ctx, "self.yaml", []byte("a: &x [*x]\n"), asyncapi.Config{})
		if err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("remote ref", func(t *testing.T) {
		doc := "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels:\n  /:\n    publish:\n      message:\n        $ref: 'https://example.com/m.yaml#/m'\n"
		_, err := asyncapi.Parse(ctx, "remote.yaml", []byte(doc), asyncapi.Config{})
		if f := findCode(err, "dangling-ref"); f == nil || !strings.Contains(f.Message, "remote references") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		_, err := asyncapi.Parse(ctx, "empty.yaml", []byte("  \n"), asyncapi.Config{})
		if findCode(err, "empty-document") == nil {
			t.Fatalf("got %v", err)
		}
	})
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
