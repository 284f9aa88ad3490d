package wsconn_test

import (
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

// Frames around the size of the reader's in-Conn buffer (128 bytes), written back to back in
// one write and then dribbled in 7-byte pieces, arrive whole and in order: a read that holds
// the end of one frame and the start of the next loses nothing.
func TestFramesAcrossSmallReadBuffer(t *testing.T) {
	sizes := []int{0, 1, 60, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 200, 255, 256, 300, 5000, 70000}
	var stream []byte
	for i, n := range sizes {
		stream = append(stream, frame(true, ws.OpText, true, []byte(strings.Repeat(string(rune('a'+i%26)), n)))...)
	}
	for _, chunk := range []int{len(stream), 7} {
		url, _ := echoServer(t, 0)
		nc, c := rawDial(t, url)
		go func() {
			for b := stream; len(b) > 0; {
				k := min(chunk, len(b))
				if _, err := nc.Write(b[:k]); err != nil {
					return
				}
				b = b[k:]
			}
		}()
		for i, n := range sizes {
			want := "e:" + strings.Repeat(string(rune('a'+i%26)), n)
			if got, _ := read(t, c); got != want {
				t.Fatalf("chunk %d, frame %d (%d bytes): got %d bytes %.20q, want %d bytes", chunk, i, n, len(got), got, len(want))
			}
			if got, _ := read(t, c); got != "done" {
				t.Fatalf("chunk %d, frame %d: got %.20q, want done", chunk, i, got)
			}
		}
		c.CloseNow()
	}
}
