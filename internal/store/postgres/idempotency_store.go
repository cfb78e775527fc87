package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// errDiscard rolls back an idempotent request whose function kept nothing.
var errDiscard = errors.New("discard")

// RunIdempotent takes a transaction-scoped advisory lock on the key before
// looking it up. The holder runs the request and commits its writes and
// its record together, which releases the lock; a request with the same
// key arriving meanwhile, on any replica, fails to take the lock and gets
// store.ErrInProgress; one arriving after the commit finds the record.
func (s *Store) RunIdempotent(ctx context.Context, rec store.IdempotencyRecord, staleBefore time.Time, fn store.IdempotentFunc) (*store.IdempotencyRecord, error) {
	if s.joinedTx(ctx) != nil {
		return nil, errors.New("postgres store: idempotent requests do not nest")
	}
	var existing *store.IdempotencyRecord
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		existing = nil
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))`, rec.Key).Scan(&locked); err != nil {
			return err
		}
		if !locked {
			return store.ErrInProgress
		}
		var r store.IdempotencyRecord
		err := tx.QueryRow(ctx, `SELECT key, request_hash, status, body, created_at
			FROM idempotency_records WHERE key = $1`, rec.Key).
			Scan(&r.Key, &r.RequestHash, &r.Status, &r.Body, &r.CreatedAt)
		switch {
		case err == nil && !r.CreatedAt.Before(staleBefore):
			r.CreatedAt = r.CreatedAt.UTC()
			existing = &r
			return nil
		case err == nil:
			if _, err := tx.Exec(ctx, `DELETE FROM idempotency_records WHERE key = $1`, rec.Key); err != nil {
				return err
			}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		status, body, keep := fn(s.withTx(ctx, tx))
		if !keep {
			return errDiscard
		}
		if body == nil {
			body = []byte{}
		}
		_, err = tx.Exec(ctx, `INSERT INTO idempotency_records (key, request_hash, status, body, created_at)
			VALUES ($1, $2, $3, $4, $5)`, rec.Key, rec.RequestHash, status, body, ms(rec.CreatedAt))
		return err
	})
	if errors.Is(err, errDiscard) {
		return nil, nil
	}
	return existing, err
}

func (s *Store) PurgeIdempotent(ctx context.Context, cutoff time.Time) error {
	_, err := s.reader(ctx).Exec(ctx, `DELETE FROM idempotency_records WHERE created_at < $1`, ms(cutoff))
	return err
}
