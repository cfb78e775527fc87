package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func testIdempotency(t *testing.T, f *fixture) {
	rec := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: f.now()}
	got, err := f.st.BeginIdempotent(f.ctx, rec)
	mustOK(t, "BeginIdempotent new", err)
	if got != nil {
		t.Fatalf("BeginIdempotent of a new key returned %+v, want nil", got)
	}

	// A second request finds the first still running, whatever it sends.
	again := store.IdempotencyRecord{Key: rec.Key, RequestHash: newDigest(), CreatedAt: f.now()}
	got, err = f.st.BeginIdempotent(f.ctx, again)
	mustOK(t, "BeginIdempotent running", err)
	if got == nil {
		t.Fatal("BeginIdempotent of a running key returned nil")
	}
	equal(t, "running record", *got, rec)

	body := []byte(`{"encrypted":"..."}`)
	mustOK(t, "CompleteIdempotent", f.st.CompleteIdempotent(f.ctx, rec.Key, 201, body))
	got, err = f.st.BeginIdempotent(f.ctx, again)
	mustOK(t, "BeginIdempotent completed", err)
	want := rec
	want.Done, want.Status, want.Body = true, 201, body
	if got == nil {
		t.Fatal("BeginIdempotent of a completed key returned nil")
	}
	equal(t, "completed record", *got, want)

	// A completed record is not abandoned.
	_ = f.st.AbandonIdempotent(f.ctx, rec.Key)
	got, err = f.st.BeginIdempotent(f.ctx, again)
	mustOK(t, "BeginIdempotent after abandoning a completed key", err)
	if got == nil || !got.Done {
		t.Fatalf("AbandonIdempotent removed a completed record: %+v", got)
	}

	// An abandoned request may be run again.
	other := store.IdempotencyRecord{Key: f.tok.ID + ":" + newID(), RequestHash: newDigest(), CreatedAt: f.now()}
	got, err = f.st.BeginIdempotent(f.ctx, other)
	mustOK(t, "BeginIdempotent", err)
	if got != nil {
		t.Fatalf("BeginIdempotent of a new key returned %+v", got)
	}
	mustOK(t, "AbandonIdempotent", f.st.AbandonIdempotent(f.ctx, other.Key))
	got, err = f.st.BeginIdempotent(f.ctx, other)
	mustOK(t, "BeginIdempotent after abandon", err)
	if got != nil {
		t.Fatalf("BeginIdempotent after abandon returned %+v, want nil", got)
	}

	wantErr(t, "CompleteIdempotent unknown", f.st.CompleteIdempotent(f.ctx, newID(), 200, nil), store.ErrNotFound)
}

func testIdempotencyPurge(t *testing.T, f *fixture) {
	old := store.IdempotencyRecord{Key: "k:old", RequestHash: newDigest(), CreatedAt: base.Add(-25 * time.Hour)}
	running := store.IdempotencyRecord{Key: "k:old-running", RequestHash: newDigest(), CreatedAt: base.Add(-30 * time.Hour)}
	fresh := store.IdempotencyRecord{Key: "k:fresh", RequestHash: newDigest(), CreatedAt: base.Add(-23 * time.Hour)}
	for _, r := range []store.IdempotencyRecord{old, running, fresh} {
		_, err := f.st.BeginIdempotent(f.ctx, r)
		mustOK(t, "BeginIdempotent", err)
	}
	mustOK(t, "CompleteIdempotent", f.st.CompleteIdempotent(f.ctx, old.Key, 200, []byte("{}")))
	mustOK(t, "CompleteIdempotent", f.st.CompleteIdempotent(f.ctx, fresh.Key, 200, []byte("{}")))

	mustOK(t, "PurgeIdempotent", f.st.PurgeIdempotent(f.ctx, base.Add(-24*time.Hour)))
	for _, r := range []store.IdempotencyRecord{old, running} {
		got, err := f.st.BeginIdempotent(f.ctx, r)
		mustOK(t, "BeginIdempotent after purge", err)
		if got != nil {
			t.Fatalf("record %s survived the purge: %+v", r.Key, got)
		}
	}
	got, err := f.st.BeginIdempotent(f.ctx, fresh)
	mustOK(t, "BeginIdempotent after purge", err)
	if got == nil || !got.Done {
		t.Fatalf("purge removed a record newer than the cutoff: %+v", got)
	}
}

func testIdempotencyRace(t *testing.T, f *fixture) {
	key := "race:" + newID()
	start := make(chan struct{})
	var firsts, errs atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			<-start
			got, err := f.st.BeginIdempotent(f.ctx, store.IdempotencyRecord{Key: key, RequestHash: newDigest(), CreatedAt: base})
			switch {
			case err != nil:
				errs.Add(1)
			case got == nil:
				firsts.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if errs.Load() != 0 || firsts.Load() != 1 {
		t.Fatalf("racing BeginIdempotent: %d started, %d failed; want 1 and 0", firsts.Load(), errs.Load())
	}
}
