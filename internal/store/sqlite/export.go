package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Export reads the whole database in one read transaction, so the snapshot
// is consistent even while tokensmithd keeps serving.
func (s *Store) Export(ctx context.Context) (store.Snapshot, error) {
	var snap store.Snapshot
	org, err := s.Organization(ctx)
	if err != nil {
		return snap, err
	}
	snap.Organization = org
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return snap, err
	}
	defer tx.Rollback()
	ctx = s.withTx(ctx, tx)
	if snap.Members, err = s.ListMembers(ctx, org.ID); err != nil {
		return snap, err
	}
	snap.Passwords = map[string]string{}
	for _, m := range snap.Members {
		hash, err := s.MemberPassword(ctx, org.ID, m.ID)
		if err != nil {
			return snap, err
		}
		if hash != "" {
			snap.Passwords[m.ID] = hash
		}
	}
	if snap.Workspaces, err = s.ListWorkspaces(ctx, org.ID); err != nil {
		return snap, err
	}
	if snap.CustomRoles, err = s.ListCustomRoles(ctx, org.ID); err != nil {
		return snap, err
	}
	if snap.Tokens, _, err = s.ListTokens(ctx, store.TokenFilter{OrgID: org.ID}); err != nil {
		return snap, err
	}
	if snap.Audit, _, err = s.ListAudit(ctx, org.ID, 0, 0); err != nil {
		return snap, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT key, request_hash, status, body, created_at FROM idempotency_records
		WHERE done = 1 ORDER BY created_at, key`)
	if err != nil {
		return snap, err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.IdempotencyRecord
		var created int64
		if err := rows.Scan(&r.Key, &r.RequestHash, &r.Status, &r.Body, &created); err != nil {
			return snap, err
		}
		r.CreatedAt = fromMillis(created)
		snap.Idempotency = append(snap.Idempotency, r)
	}
	if err := rows.Err(); err != nil {
		return snap, err
	}
	if snap.Usage, err = exportUsage(ctx, tx); err != nil {
		return snap, err
	}
	if snap.SpentDigests, err = exportSpentDigests(ctx, tx); err != nil {
		return snap, err
	}
	if snap.Organization.ID == "" {
		return snap, errors.New("sqlite store: no organisation to export")
	}
	return snap, nil
}

func exportUsage(ctx context.Context, tx *sql.Tx) ([]store.UsageCount, error) {
	rows, err := tx.QueryContext(ctx, `SELECT token_id, day, count FROM token_usage ORDER BY token_id, day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.UsageCount
	for rows.Next() {
		var c store.UsageCount
		var day int64
		if err := rows.Scan(&c.TokenID, &day, &c.Count); err != nil {
			return nil, err
		}
		c.Day = fromMillis(day)
		out = append(out, c)
	}
	return out, rows.Err()
}

func exportSpentDigests(ctx context.Context, tx *sql.Tx) ([][]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT digest FROM spent_digests ORDER BY digest`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var d []byte
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
