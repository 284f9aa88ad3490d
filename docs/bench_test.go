package docs_test

import (
	"net/http/httptest"
	"testing"

	"github.com/sockspec/sockspec/docs"
)

func BenchmarkNewHandler(b *testing.B) {
	doc := loadYAML(b, "kraken.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := docs.NewHandler(doc, docs.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServePage(b *testing.B) {
	h, err := docs.NewHandler(loadYAML(b, "kraken.yaml"), docs.Config{})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
