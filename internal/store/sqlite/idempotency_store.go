package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// errDiscard rolls back an idempotent request whose function kept nothing.
var errDiscard = errors.New("discard")

// RunIdempotent holds the write connection (BEGIN IMMEDIATE) from the look-up
// of the key to the commit of the request's writes and its record, so a
// second request with the same key, from this process or another one on
// the same file, waits for the first and then finds its record.
func (s *Store) RunIdempotent(ctx context.Context, rec store.IdempotencyRecord, staleBefore time.Time, fn store.IdempotentFunc) (*store.IdempotencyRecord, error) {
	if s.joinedTx(ctx) != nil {
		return nil, errors.New("sqlite store: idempotent requests do not nest")
	}
	var existing *store.IdempotencyRecord
	err := s.inDurableTx(ctx, func(tx *sql.Tx) error {
		var r store.IdempotencyRecord
		var created int64
		var done bool
		err := tx.QueryRowContext(ctx, `SELECT key, request_hash, done, status, body, created_at
			FROM idempotency_records WHERE key = ?`, rec.Key).
			Scan(&r.Key, &r.RequestHash, &done, &r.Status, &r.Body, &created)
		switch {
		// A record without a response was left by an older version that
		// stored the record before running the request: run it again.
		case err == nil && done && !fromMillis(created).Before(staleBefore):
			r.CreatedAt = fromMillis(created)
			existing = &r
			return nil
		case err == nil:
			if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE key = ?`, rec.Key); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		status, body, keep := fn(s.withTx(ctx, tx))
		if !keep {
			return errDiscard
		}
		if body == nil {
			body = []byte{}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_records (key, request_hash, done, status, body, created_at)
			VALUES (?, ?, 1, ?, ?, ?)`, rec.Key, rec.RequestHash, status, body, toMillis(rec.CreatedAt))
		return err
	})
	if errors.Is(err, errDiscard) {
		return nil, nil
	}
	return existing, err
}

func (s *Store) PurgeIdempotent(ctx context.Context, cutoff time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE created_at < ?`, toMillis(cutoff))
		return err
	})
}
