package fake_test

import (
	"testing"

	"github.com/sockspec/sockspec/mock/fake"
)

func benchGenerate(b *testing.B, file string) {
	raw := loadJSON(b, "testdata/corpus/"+file)
	g := fake.New(fake.Config{Seed: 1})
	s, err := g.Prepare(raw, fake.PrepareOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Generate(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateChatMessage(b *testing.B) { benchGenerate(b, "47_chat_message.json") }
func BenchmarkGenerateObject(b *testing.B)      { benchGenerate(b, "11_object_required.json") }
func BenchmarkGenerateFormats(b *testing.B)     { benchGenerate(b, "24_formats_standard.json") }
func BenchmarkGenerateRecursive(b *testing.B)   { benchGenerate(b, "35_recursive_required_oneof.json") }
func BenchmarkGeneratePattern(b *testing.B)     { benchGenerate(b, "20_pattern_alternation.json") }
func BenchmarkGenerateOneOf(b *testing.B)       { benchGenerate(b, "27_oneof_objects_discriminated.json") }

func BenchmarkPrepare(b *testing.B) {
	raw := loadJSON(b, "testdata/corpus/34_recursive_tree.json")
	g := fake.New(fake.Config{Seed: 1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Prepare(raw, fake.PrepareOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
