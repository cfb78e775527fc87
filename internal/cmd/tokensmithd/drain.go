package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// inFlight tracks the requests being served, so a shutdown whose drain
// times out can say which ones it cut off. It records method and path
// only: a query string may carry a value the caller did not mean to log.
type inFlight struct {
	next http.Handler
	mu   sync.Mutex
	reqs map[*http.Request]string
	idle *sync.Cond
}

func trackInFlight(next http.Handler) *inFlight {
	t := &inFlight{next: next, reqs: map[*http.Request]string{}}
	t.idle = sync.NewCond(&t.mu)
	return t
}

func (t *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	t.reqs[r] = r.Method + " " + r.URL.Path
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.reqs, r)
		if len(t.reqs) == 0 {
			t.idle.Broadcast()
		}
		t.mu.Unlock()
	}()
	t.next.ServeHTTP(w, r)
}

// list returns the requests in flight, sorted.
func (t *inFlight) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.reqs))
	for _, s := range t.reqs {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// waitIdle returns once no request is in flight or ctx is done.
func (t *inFlight) waitIdle(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		t.mu.Lock()
		t.idle.Broadcast()
		t.mu.Unlock()
	})
	defer stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.reqs) > 0 && ctx.Err() == nil {
		t.idle.Wait()
	}
}

// drain stops hs accepting connections and waits up to timeout for the
// requests in flight. A drain that times out is an orderly end, not a
// failure: the requests still running are logged and their connections
// closed, and drain returns nil. Closing a connection ends a handler
// blocked on it; drain then waits (as long again at most) for the handlers
// to return, so the store is closed after its last use.
func drain(hs *http.Server, t *inFlight, timeout time.Duration, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := hs.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	cut := t.list()
	logger.Warn("shutdown drain timed out: closing the connections of the requests still in flight",
		"drain_timeout", timeout.String(), "cut_off", len(cut), "requests", cut)
	if err := hs.Close(); err != nil {
		return err
	}
	ctx, cancel = context.WithTimeout(context.Background(), timeout)
	defer cancel()
	t.waitIdle(ctx)
	return nil
}
