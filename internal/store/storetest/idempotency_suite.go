package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// createIn is an IdempotentFunc that creates tok, reads it back inside the
// request's transaction and keeps a 201 holding its id.
func (f *fixture) createIn(t *testing.T, tok store.Token, calls *atomic.Int32) store.IdempotentFunc {
	return func(ctx context.Context) (int, []byte, bool) {
		calls.Add(1)
		if err := f.st.CreateToken(ctx, tok, store.Quota{}); err != nil {
			t.Errorf("CreateToken inside the request: %v", err)
			return 500, nil, false
		}
		got, err := f.st.GetToken(ctx, f.org.ID, tok.ID)
		if err != nil || got.Name != tok.Name {
			t.Errorf("the request does not read its own write: %+v %v", got, err)
		}
		if err := f.st.AppendAudit(ctx, store.AuditEvent{ID: newID(), OrgID: f.org.ID, Time: f.now(), Action: "token.create",
			MemberID: f.owner.ID, TokenID: f.tok.ID, Target: "token/" + tok.ID}); err != nil {
			t.Errorf("AppendAudit inside the request: %v", err)
		}
		return 201, []byte(tok.ID), true
	}
}

func (f *fixture) tokenExists(t *testing.T, id string) bool {
	t.Helper()
	_, err := f.st.GetToken(f.ctx, f.org.ID, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetToken: %v", err)
	}
	return err == nil
}

func testIdempotency(t *testing.T, f *fixture) {
	rec := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: f.now()}
	tok := f.newToken(f.owner.ID, nil)
	var calls atomic.Int32
	got, err := f.st.RunIdempotent(f.ctx, rec, base, f.createIn(t, tok, &calls))
	mustOK(t, "RunIdempotent new", err)
	if got != nil || calls.Load() != 1 {
		t.Fatalf("RunIdempotent of a new key returned %+v after %d calls, want nil after 1", got, calls.Load())
	}
	if !f.tokenExists(t, tok.ID) {
		t.Fatal("the effect of a kept request was not committed")
	}

	// The same key, whatever the request, gets the stored record and runs nothing.
	again := store.IdempotencyRecord{Key: rec.Key, RequestHash: newDigest(), CreatedAt: f.now()}
	got, err = f.st.RunIdempotent(f.ctx, again, base, f.createIn(t, f.newToken(f.owner.ID, nil), &calls))
	mustOK(t, "RunIdempotent again", err)
	want := rec
	want.Status, want.Body = 201, []byte(tok.ID)
	if got == nil {
		t.Fatal("RunIdempotent of a stored key returned nil")
	}
	equal(t, "stored record", *got, want)
	if calls.Load() != 1 {
		t.Fatalf("the request ran %d times", calls.Load())
	}
	if n := f.tokenCount(t, f.owner.ID); n != 2 { // the fixture's token and tok
		t.Fatalf("%d tokens, want 2", n)
	}
}

// testIdempotencyDiscard: a request that keeps nothing leaves nothing, not
// even the key, so it may run again.
func testIdempotencyDiscard(t *testing.T, f *fixture) {
	rec := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: f.now()}
	tok := f.newToken(f.owner.ID, nil)
	var calls atomic.Int32
	create := f.createIn(t, tok, &calls)
	got, err := f.st.RunIdempotent(f.ctx, rec, base, func(ctx context.Context) (int, []byte, bool) {
		create(ctx)
		return 500, nil, false
	})
	if err != nil || got != nil {
		t.Fatalf("RunIdempotent discarding: %+v %v", got, err)
	}
	if f.tokenExists(t, tok.ID) {
		t.Fatal("the writes of a discarded request were committed")
	}
	if _, err := f.st.RunIdempotent(f.ctx, rec, base, create); err != nil || calls.Load() != 2 || !f.tokenExists(t, tok.ID) {
		t.Fatalf("a discarded key did not run again: %v, %d calls", err, calls.Load())
	}
}

// testIdempotencyCrash stops a request after its effect and before its
// record is committed, as a crash of the process would: neither the effect
// nor the record may remain, and the key runs again afterwards.
func testIdempotencyCrash(t *testing.T, f *fixture) {
	rec := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: f.now()}
	tok := f.newToken(f.owner.ID, nil)
	var calls atomic.Int32
	create := f.createIn(t, tok, &calls)
	ctx, crash := context.WithCancel(f.ctx)
	defer crash()
	_, err := f.st.RunIdempotent(ctx, rec, base, func(ctx context.Context) (int, []byte, bool) {
		st, body, keep := create(ctx)
		crash()
		return st, body, keep
	})
	if err == nil {
		t.Fatal("RunIdempotent committed after its context ended")
	}
	if f.tokenExists(t, tok.ID) {
		t.Fatal("the effect of a request that never committed its record is stored")
	}
	got, err := f.st.RunIdempotent(f.ctx, rec, base, create)
	mustOK(t, "RunIdempotent after the crash", err)
	if got != nil || calls.Load() != 2 || !f.tokenExists(t, tok.ID) {
		t.Fatalf("after the crash the key did not run again: %+v, %d calls", got, calls.Load())
	}
}

// testIdempotencyFailedWriteInside: a store method that fails inside a
// request undoes its own writes only; the request may still keep the rest.
func testIdempotencyFailedWriteInside(t *testing.T, f *fixture) {
	rec := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: f.now()}
	first := f.newToken(f.owner.ID, nil)
	over := f.newToken(f.owner.ID, nil)
	_, err := f.st.RunIdempotent(f.ctx, rec, base, func(ctx context.Context) (int, []byte, bool) {
		mustOK(t, "CreateToken", f.st.CreateToken(ctx, first, store.Quota{}))
		var qe *store.QuotaError
		if err := f.st.CreateToken(ctx, over, store.Quota{PerMember: 2}); !errors.As(err, &qe) {
			t.Errorf("CreateToken over the quota inside the request: %v", err)
		}
		return 409, []byte("quota"), true
	})
	mustOK(t, "RunIdempotent", err)
	if !f.tokenExists(t, first.ID) || f.tokenExists(t, over.ID) {
		t.Fatal("a failed write inside the request was kept, or undid the request's other writes")
	}
}

func testIdempotencyStale(t *testing.T, f *fixture) {
	rec := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: base.Add(-25 * time.Hour)}
	var calls atomic.Int32
	_, err := f.st.RunIdempotent(f.ctx, rec, base.Add(-26*time.Hour), f.createIn(t, f.newToken(f.owner.ID, nil), &calls))
	mustOK(t, "RunIdempotent", err)
	fresh := rec
	fresh.CreatedAt = base
	got, err := f.st.RunIdempotent(f.ctx, fresh, base.Add(-24*time.Hour), f.createIn(t, f.newToken(f.owner.ID, nil), &calls))
	mustOK(t, "RunIdempotent past the cutoff", err)
	if got != nil || calls.Load() != 2 {
		t.Fatalf("a record older than the cutoff was replayed: %+v", got)
	}
	got, err = f.st.RunIdempotent(f.ctx, fresh, base.Add(-24*time.Hour), f.createIn(t, f.newToken(f.owner.ID, nil), &calls))
	mustOK(t, "RunIdempotent", err)
	if got == nil || !got.CreatedAt.Equal(base) || calls.Load() != 2 {
		t.Fatalf("the record that replaced a stale one: %+v", got)
	}
}

func testIdempotencyPurge(t *testing.T, f *fixture) {
	old := store.IdempotencyRecord{Key: "k:old", RequestHash: newDigest(), CreatedAt: base.Add(-25 * time.Hour)}
	fresh := store.IdempotencyRecord{Key: "k:fresh", RequestHash: newDigest(), CreatedAt: base.Add(-23 * time.Hour)}
	var calls atomic.Int32
	keep := func(context.Context) (int, []byte, bool) { calls.Add(1); return 200, []byte("{}"), true }
	for _, r := range []store.IdempotencyRecord{old, fresh} {
		_, err := f.st.RunIdempotent(f.ctx, r, time.Time{}, keep)
		mustOK(t, "RunIdempotent", err)
	}
	mustOK(t, "PurgeIdempotent", f.st.PurgeIdempotent(f.ctx, base.Add(-24*time.Hour)))
	// With no cutoff of its own, a purged record runs again and a kept one replays.
	got, err := f.st.RunIdempotent(f.ctx, old, time.Time{}, keep)
	mustOK(t, "RunIdempotent after purge", err)
	if got != nil || calls.Load() != 3 {
		t.Fatalf("record %s survived the purge: %+v", old.Key, got)
	}
	got, err = f.st.RunIdempotent(f.ctx, fresh, time.Time{}, keep)
	mustOK(t, "RunIdempotent after purge", err)
	if got == nil || calls.Load() != 3 {
		t.Fatalf("purge removed a record newer than the cutoff: %+v", got)
	}
}

// testIdempotencyRace: of many requests with one key at once, exactly one
// runs; every other one gets its record or ErrInProgress.
func testIdempotencyRace(t *testing.T, f *fixture) {
	key := "race:" + newID()
	start := make(chan struct{})
	var calls, replays, busy, errs atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			<-start
			got, err := f.st.RunIdempotent(f.ctx, store.IdempotencyRecord{Key: key, RequestHash: newDigest(), CreatedAt: base}, time.Time{},
				func(context.Context) (int, []byte, bool) { calls.Add(1); return 201, []byte("first"), true })
			switch {
			case errors.Is(err, store.ErrInProgress):
				busy.Add(1)
			case err != nil:
				errs.Add(1)
			case got != nil && string(got.Body) == "first":
				replays.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if errs.Load() != 0 || calls.Load() != 1 || replays.Load()+busy.Load() != 19 {
		t.Fatalf("racing RunIdempotent: %d ran, %d replayed, %d in progress, %d failed; want 1 run and 19 replayed or in progress",
			calls.Load(), replays.Load(), busy.Load(), errs.Load())
	}
}
