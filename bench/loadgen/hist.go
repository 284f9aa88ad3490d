package main

import (
	"math/bits"
	"time"
)

// hist is a log-linear latency histogram in the spirit of HDR histograms: values below 128 ns
// are exact, larger ones fall into buckets 1/64 of their power of two wide, so every recorded
// value is known within 1.6%. Recording is two shifts and an increment; one hist per
// goroutine, merged at the end.
type hist struct {
	counts [histBuckets]uint32
	n      uint64
	max    int64
}

const (
	histSub     = 64
	histBuckets = 128 + 57*histSub
)

func histIndex(v int64) int {
	if v < 128 {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 7 // v>>e is in [64,128)
	m := int(v >> e)
	return 128 + (e-1)*histSub + (m - histSub)
}

// histValue is the midpoint of bucket i.
func histValue(i int) int64 {
	if i < 128 {
		return int64(i)
	}
	e := (i-128)/histSub + 1
	m := int64((i-128)%histSub + histSub)
	return m<<e + (int64(1)<<e)/2
}

func (h *hist) record(d time.Duration) {
	v := int64(d)
	h.counts[histIndex(v)]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the value at quantile q (0..1).
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return time.Duration(min(histValue(i), h.max))
		}
	}
	return time.Duration(h.max)
}
