package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) BeginIdempotent(ctx context.Context, rec store.IdempotencyRecord) (*store.IdempotencyRecord, error) {
	var existing *store.IdempotencyRecord
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var r store.IdempotencyRecord
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT key, request_hash, done, status, body, created_at
			FROM idempotency_records WHERE key = ?`, rec.Key).
			Scan(&r.Key, &r.RequestHash, &r.Done, &r.Status, &r.Body, &created)
		if err == nil {
			r.CreatedAt = fromMillis(created)
			existing = &r
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_records (key, request_hash, done, status, body, created_at)
			VALUES (?, ?, 0, 0, NULL, ?)`, rec.Key, rec.RequestHash, toMillis(rec.CreatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return existing, nil
}

// runningRecord checks that key names a record still running.
func runningRecord(ctx context.Context, tx *sql.Tx, key string) error {
	var done bool
	err := tx.QueryRowContext(ctx, `SELECT done FROM idempotency_records WHERE key = ?`, key).Scan(&done)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	if done {
		return fmt.Errorf("%w: the idempotent request already completed", store.ErrConflict)
	}
	return nil
}

func (s *Store) CompleteIdempotent(ctx context.Context, key string, status int, body []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := runningRecord(ctx, tx, key); err != nil {
			return err
		}
		if body == nil {
			body = []byte{}
		}
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_records SET done = 1, status = ?, body = ? WHERE key = ?`,
			status, body, key)
		return err
	})
}

func (s *Store) AbandonIdempotent(ctx context.Context, key string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := runningRecord(ctx, tx, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE key = ?`, key)
		return err
	})
}

func (s *Store) PurgeIdempotent(ctx context.Context, cutoff time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE created_at < ?`, toMillis(cutoff))
		return err
	})
}
