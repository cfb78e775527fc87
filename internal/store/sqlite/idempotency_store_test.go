package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// TestRunIdempotentRerunsLegacyRunningRecord: a record an older version
// left running (stored before its request ran, never completed) is not
// replayed with an empty response: the request runs and its record
// replaces it.
func TestRunIdempotentRerunsLegacyRunningRecord(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := s.write.ExecContext(ctx, `INSERT INTO idempotency_records (key, request_hash, done, status, body, created_at)
		VALUES ('t:k', x'01', 0, 0, NULL, ?)`, toMillis(now)); err != nil {
		t.Fatal(err)
	}
	rec := store.IdempotencyRecord{Key: "t:k", RequestHash: []byte{1}, CreatedAt: now}
	ran := 0
	run := func(context.Context) (int, []byte, bool) { ran++; return 201, []byte("done"), true }
	got, err := s.RunIdempotent(ctx, rec, now.Add(-time.Hour), run)
	if err != nil || got != nil || ran != 1 {
		t.Fatalf("a legacy running record: %+v %v, ran %d times", got, err, ran)
	}
	got, err = s.RunIdempotent(ctx, rec, now.Add(-time.Hour), run)
	if err != nil || got == nil || string(got.Body) != "done" || got.Status != 201 || ran != 1 {
		t.Fatalf("after the rerun: %+v %v, ran %d times", got, err, ran)
	}
}
