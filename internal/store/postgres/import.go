package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// ErrNotEmpty: Import refuses a database that already holds data.
var ErrNotEmpty = errors.New("the target database is not empty: copy only into a database that holds no organisation, member, token, idempotency record or audit event")

// Import writes snap into an empty database in one transaction, keeping
// every id, digest and time, and records the pepper's fingerprint, so that
// replicas started with another pepper refuse the database.
func (s *Store) Import(ctx context.Context, snap store.Snapshot, pepperFingerprint []byte) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// Another import or a replica bootstrapping at the same time waits.
		if _, err := tx.Exec(ctx, `LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organizations) OR EXISTS (SELECT 1 FROM members)
			OR EXISTS (SELECT 1 FROM tokens) OR EXISTS (SELECT 1 FROM idempotency_records)
			OR EXISTS (SELECT 1 FROM audit_events)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrNotEmpty
		}
		o := snap.Organization
		if _, err := tx.Exec(ctx, `INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)`,
			o.ID, o.Name, ms(o.CreatedAt)); err != nil {
			return err
		}
		for _, m := range snap.Members {
			if err := insertMember(ctx, tx, m); err != nil {
				return fmt.Errorf("member %s: %w", m.ID, err)
			}
			if hash := snap.Passwords[m.ID]; hash != "" {
				if _, err := tx.Exec(ctx, `UPDATE members SET password_hash = $1 WHERE id = $2`, hash, m.ID); err != nil {
					return fmt.Errorf("member %s: console password: %w", m.ID, err)
				}
			}
		}
		for _, w := range snap.Workspaces {
			if err := insertWorkspace(ctx, tx, w); err != nil {
				return fmt.Errorf("workspace %s: %w", w.ID, err)
			}
		}
		for _, r := range snap.CustomRoles {
			if err := insertCustomRole(ctx, tx, r); err != nil {
				return fmt.Errorf("custom role %s: %w", r.ID, err)
			}
		}
		for _, t := range snap.Tokens {
			if err := insertToken(ctx, tx, t, store.Quota{}); err != nil {
				return fmt.Errorf("token %s: %w", t.ID, err)
			}
		}
		for _, r := range snap.Idempotency {
			body := r.Body
			if body == nil {
				body = []byte{}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO idempotency_records (key, request_hash, status, body, created_at)
				VALUES ($1, $2, $3, $4, $5)`, r.Key, r.RequestHash, r.Status, body, ms(r.CreatedAt)); err != nil {
				return fmt.Errorf("idempotency record: %w", err)
			}
		}
		for _, e := range snap.Audit {
			if _, err := tx.Exec(ctx, `INSERT INTO audit_events (id, org_id, time, action, member_id, token_id, target, detail)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				e.ID, e.OrgID, ms(e.Time), e.Action, e.MemberID, e.TokenID, e.Target, e.Detail); err != nil {
				return fmt.Errorf("audit event %s: %w", e.ID, err)
			}
		}
		if len(snap.Usage) > 0 {
			ids := make([]string, len(snap.Usage))
			days := make([]time.Time, len(snap.Usage))
			ns := make([]int64, len(snap.Usage))
			for i, c := range snap.Usage {
				ids[i], days[i], ns[i] = c.TokenID, ms(c.Day), c.Count
			}
			if _, err := tx.Exec(ctx, `INSERT INTO token_usage (token_id, day, count)
				SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[])`, ids, days, ns); err != nil {
				return fmt.Errorf("usage counts: %w", err)
			}
		}
		// The tokens' inserts spent their current digests already.
		if _, err := tx.Exec(ctx, `INSERT INTO spent_digests (digest) SELECT unnest($1::bytea[]) ON CONFLICT DO NOTHING`,
			snap.SpentDigests); err != nil {
			return fmt.Errorf("spent digests: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO settings (name, value) VALUES ('pepper_fingerprint', $1)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, pepperFingerprint)
		return err
	})
}

// Counts is how many records of each kind the database holds, to compare
// a copy with its source.
func (s *Store) Counts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, table := range []string{"organizations", "members", "workspaces", "workspace_members", "custom_roles", "tokens",
		"token_custom_roles", "idempotency_records", "audit_events", "token_usage", "spent_digests"} {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			return nil, err
		}
		out[table] = n
	}
	return out, nil
}
