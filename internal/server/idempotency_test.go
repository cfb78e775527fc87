package server_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// gatedStore holds the next CreateToken, after it has written, until
// released.
type gatedStore struct {
	store.Store
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *gatedStore) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	err := s.Store.CreateToken(ctx, t, q)
	if s.armed.CompareAndSwap(true, false) {
		close(s.entered)
		<-s.release
	}
	return err
}

// TestIdempotencyDuplicateWhileRunning: a duplicate sent while the first
// request runs gets 409 request_in_progress with Retry-After; once the
// first is done the same key replays its answer, and one token exists.
func TestIdempotencyDuplicateWhileRunning(t *testing.T) {
	gs := &gatedStore{entered: make(chan struct{}), release: make(chan struct{})}
	ts := testserver.New(t, testserver.WithStoreWrapper(func(st store.Store) store.Store { gs.Store = st; return gs }))
	c := newClient(t, ts, ts.OwnerToken)
	body := api.TokenCreate{Name: "once", Role: "reader"}

	var once sync.Once
	release := func() { once.Do(func() { close(gs.release) }) }
	defer release() // a failure below must not leave the first request hanging

	gs.armed.Store(true)
	first := make(chan resp, 1)
	go func() { first <- c.do("POST", api.PathTokens, body, api.HeaderIdempotencyKey, "dup") }()
	<-gs.entered

	r := c.do("POST", api.PathTokens, body, api.HeaderIdempotencyKey, "dup")
	if r.Status != http.StatusConflict || r.problem(t).Code != api.CodeInProgress {
		t.Fatalf("duplicate while running: %d %s", r.Status, r.Body)
	}
	if ra := r.Header.Get(api.HeaderRetryAfter); ra != "1" {
		t.Fatalf("Retry-After %q, want 1", ra)
	}

	release()
	a := <-first
	if a.Status != http.StatusCreated {
		t.Fatalf("first: %d %s", a.Status, a.Body)
	}
	b := c.must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "dup")
	if b.Header.Get("Idempotent-Replayed") != "true" || string(a.Body) != string(b.Body) {
		t.Fatalf("the retry after the first finished was not a replay: %s", b.Body)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 2 { // the owner's and "once"
		t.Fatalf("%d tokens, want 2", list.TotalCount)
	}
}
