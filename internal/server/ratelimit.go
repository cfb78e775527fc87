package server

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per access token, driven by the server's
// clock so tests can advance it.
type rateLimiter struct {
	rate  float64
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket; when empty it reports how long
// until one is available.
func (l *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, true)
}

// check reports what allow would, without taking anything.
func (l *rateLimiter) check(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, false)
}

func (l *rateLimiter) take(key string, now time.Time, consume bool) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 100000 {
			l.buckets = map[string]*bucket{}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens += elapsed * l.rate
		if b.tokens > l.burst {
			b.tokens = l.burst
		}
		b.last = now
	}
	if b.tokens >= 1 {
		if consume {
			b.tokens--
		}
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}
