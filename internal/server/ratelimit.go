package server

import (
	"container/list"
	"sync"
	"time"
)

// limiterKeys is how many keys a rateLimiter remembers at most.
const limiterKeys = 100000

// rateLimiter is a token bucket per key (an access token, a client
// address), driven by the server's clock so tests can advance it.
//
// Buckets are kept in least-recently-used order and forgotten by age: a
// bucket untouched for burst/rate has refilled completely, so forgetting it
// changes nothing. When the table is full of younger buckets the least
// recently used one goes. Nothing ever empties the whole table, so flooding
// it with new keys cannot reset a key that is still in use.
type rateLimiter struct {
	rate  float64
	burst float64
	// ttl is how long an untouched bucket takes to refill completely.
	ttl time.Duration
	max int

	mu    sync.Mutex
	keys  map[string]*list.Element // of *bucket
	order *list.List               // most recently used first
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int) *rateLimiter {
	l := &rateLimiter{rate: rate, burst: float64(burst), max: limiterKeys, keys: map[string]*list.Element{}, order: list.New()}
	if rate > 0 {
		l.ttl = time.Duration(float64(burst) / rate * float64(time.Second))
	}
	return l
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
	var b *bucket
	if e, ok := l.keys[key]; ok {
		b = e.Value.(*bucket)
		l.order.MoveToFront(e)
	} else {
		l.evict(now)
		b = &bucket{key: key, tokens: l.burst, last: now}
		l.keys[key] = l.order.PushFront(b)
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

// evict forgets the buckets that have refilled, oldest first, and makes room
// for one more key by forgetting the least recently used one if need be.
func (l *rateLimiter) evict(now time.Time) {
	for e := l.order.Back(); e != nil; e = l.order.Back() {
		b := e.Value.(*bucket)
		if len(l.keys) < l.max && now.Sub(b.last) < l.ttl {
			return
		}
		l.order.Remove(e)
		delete(l.keys, b.key)
	}
}
