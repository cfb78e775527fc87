package server

import (
	"sync"
	"time"
)

// lastUsed collects the last use of each token in memory; the server writes
// them in one batch periodically and on Close, so a request costs no write.
type lastUsed struct {
	mu   sync.Mutex
	used map[string]time.Time
	seen map[string]time.Time // everything observed since start, for reads
}

func newLastUsed() *lastUsed {
	return &lastUsed{used: map[string]time.Time{}, seen: map[string]time.Time{}}
}

func (l *lastUsed) touch(id string, t time.Time) {
	l.mu.Lock()
	if t.After(l.used[id]) {
		l.used[id] = t
	}
	if t.After(l.seen[id]) {
		l.seen[id] = t
	}
	l.mu.Unlock()
}

func (l *lastUsed) get(id string) (time.Time, bool) {
	l.mu.Lock()
	t, ok := l.seen[id]
	l.mu.Unlock()
	return t, ok
}

func (l *lastUsed) forget(id string) {
	l.mu.Lock()
	delete(l.used, id)
	delete(l.seen, id)
	l.mu.Unlock()
}

func (l *lastUsed) take() map[string]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.used
	l.used = map[string]time.Time{}
	return out
}

func (l *lastUsed) restore(m map[string]time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, t := range m {
		if t.After(l.used[id]) {
			l.used[id] = t
		}
	}
}
