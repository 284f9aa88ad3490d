package client

import (
	"math"
	"math/rand/v2"
	"time"
)

// backoff computes reconnection delays the way socket.io-client does: min·2^attempt, moved
// up or down by a random fraction (at most jitter) of itself, capped at max.
type backoff struct {
	min, max time.Duration
	jitter   float64
	attempts int
}

func (b *backoff) duration() time.Duration {
	ms := float64(b.min) * math.Pow(2, float64(b.attempts))
	b.attempts++
	if b.jitter > 0 {
		r := rand.Float64()
		dev := math.Floor(r * b.jitter * ms)
		if int(math.Floor(r*10))&1 == 0 {
			ms -= dev
		} else {
			ms += dev
		}
	}
	if ms > float64(b.max) || math.IsInf(ms, 0) || math.IsNaN(ms) {
		return b.max
	}
	return time.Duration(ms)
}

func (b *backoff) reset() { b.attempts = 0 }
