package server

import (
	"strconv"
	"testing"
	"time"
)

// An attacker who has exhausted their bucket and keeps trying while
// flooding the limiter with more new keys than it holds must stay limited:
// the limiter forgets the least recently used keys, never all of them.
func TestLimiterFloodDoesNotResetAnActiveKey(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newRateLimiter(10, 100)
	for range 100 {
		if ok, _ := l.allow("attacker", now); !ok {
			t.Fatal("limited before the burst was used")
		}
	}
	for i := range limiterKeys + 1000 {
		l.allow("flood-"+strconv.Itoa(i), now)
		if i%1000 == 0 {
			if ok, _ := l.check("attacker", now); ok {
				t.Fatalf("the attacker's bucket was reset after %d new keys", i+1)
			}
		}
	}
	if ok, _ := l.allow("attacker", now); ok {
		t.Fatal("the attacker's bucket was reset by the flood")
	}
	if n := len(l.keys); n > limiterKeys {
		t.Fatalf("the limiter holds %d keys, more than %d", n, limiterKeys)
	}
}

// Buckets untouched long enough to have refilled are forgotten, so the table
// stays as small as the set of recently active keys; a bucket still
// refilling is kept.
func TestLimiterForgetsBucketsByAge(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newRateLimiter(10, 100) // refills completely in 10 s
	for i := range 50 {
		l.allow("idle-"+strconv.Itoa(i), now)
	}
	for range 100 {
		l.allow("limited", now.Add(5*time.Second))
	}
	later := now.Add(10 * time.Second)
	l.allow("new", later)
	if _, ok := l.keys["idle-0"]; ok || len(l.keys) != 2 {
		t.Fatalf("after 10 s the limiter holds %d keys, want 2 (limited, new)", len(l.keys))
	}
	if _, ok := l.keys["limited"]; !ok {
		t.Fatal("a bucket emptied 5 s ago was forgotten before it refilled")
	}
}

// A full table of young buckets makes room by forgetting the least
// recently used key only.
func TestLimiterEvictsLeastRecentlyUsed(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newRateLimiter(1, 1)
	l.max = 3
	for _, k := range []string{"a", "b", "c"} {
		l.allow(k, now)
	}
	l.check("a", now) // a is now more recent than b and c
	l.allow("d", now)
	if _, ok := l.keys["b"]; ok || len(l.keys) != 3 {
		t.Fatalf("keys after one eviction: %d, b kept: %v", len(l.keys), ok)
	}
	for _, k := range []string{"a", "c", "d"} {
		if ok, _ := l.check(k, now); ok {
			t.Errorf("%s was forgotten", k)
		}
	}
}
