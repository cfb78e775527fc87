package postgres

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// changesChannel is the NOTIFY channel on which every write that may take
// access away (a token changed or deleted, a member changed or removed, a
// role or a workspace changed) is announced, when it commits. Replicas
// listen on it to drop what they cache about callers.
const changesChannel = "tokensmith_changes"

// inNotifyingTx is inTx for writes other replicas must hear of: the
// notification leaves with the commit, or not at all.
func (s *Store) inNotifyingTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, changesChannel)
		return err
	})
}

// WatchChanges calls changed after every commit, by any process, of a
// write that may take access away, until ctx ends. It holds one connection
// of its own. Whenever that connection is lost (and so notifications may
// have been missed) it calls changed too, then connects again after
// retryEvery; callers that cache must also bound how long an entry lives.
func (s *Store) WatchChanges(ctx context.Context, retryEvery time.Duration, changed func()) {
	for ctx.Err() == nil {
		err := s.listen(ctx, changed)
		changed()
		if ctx.Err() != nil || err == nil {
			return
		}
		t := time.NewTimer(retryEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (s *Store) listen(ctx context.Context, changed func()) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A listening connection never goes back to the pool.
	raw := conn.Hijack()
	defer raw.Close(context.WithoutCancel(ctx))
	if _, err := raw.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	// Whatever changed before LISTEN took effect was not announced to us.
	changed()
	for {
		if _, err := raw.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}

// ErrPepperMismatch: the database was set up with another pepper, so none
// of its tokens would authenticate.
var ErrPepperMismatch = errors.New("this process's pepper is not the one the database was set up with: every token would be rejected. " +
	"Give every replica the same pepper (the config file's pepper or TOKENSMITH_PEPPER)")

// CheckPepper records fingerprint, which identifies the pepper without
// revealing it, on first use, and afterwards refuses any other.
func (s *Store) CheckPepper(ctx context.Context, fingerprint []byte) error {
	if len(fingerprint) == 0 {
		return errors.New("postgres store: empty pepper fingerprint")
	}
	var stored []byte
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('pepper_fingerprint', $1)
			ON CONFLICT (name) DO NOTHING`, fingerprint); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM settings WHERE name = 'pepper_fingerprint'`).Scan(&stored)
	})
	if err != nil {
		return err
	}
	if len(stored) != len(fingerprint) || subtle.ConstantTimeCompare(stored, fingerprint) != 1 {
		return ErrPepperMismatch
	}
	return nil
}
