package workpool_test

import (
	"sync"
	"testing"

	"github.com/sockspec/sockspec/internal/workpool"
)

// deep uses about n*200 bytes of stack, like a handler that decodes JSON.
//
//go:noinline
func deep(n int) int {
	var buf [192]byte
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return deep(n-1) + int(buf[n%len(buf)])
}

var sink int

// BenchmarkTask compares a task on a parked worker with a task on a new
// goroutine, for a task whose stack outgrows a new goroutine's.
func BenchmarkTask(b *testing.B) {
	for _, depth := range []int{0, 64} {
		name := map[int]string{0: "shallow", 64: "deep"}[depth]
		b.Run("pool/"+name, func(b *testing.B) {
			b.ReportAllocs()
			p := workpool.New(workpool.Config{})
			defer p.Close()
			var mu sync.Mutex
			done := make(chan struct{}, 1)
			task := func() {
				r := deep(depth)
				mu.Lock()
				sink += r
				mu.Unlock()
				done <- struct{}{}
			}
			for b.Loop() {
				p.Go(task)
				<-done
			}
		})
		b.Run("go/"+name, func(b *testing.B) {
			b.ReportAllocs()
			var mu sync.Mutex
			done := make(chan struct{}, 1)
			task := func() {
				r := deep(depth)
				mu.Lock()
				sink += r
				mu.Unlock()
				done <- struct{}{}
			}
			for b.Loop() {
				go task()
				<-done
			}
		})
	}
}
