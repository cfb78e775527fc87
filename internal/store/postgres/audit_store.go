package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// AppendAudit is one statement: outside a request's transaction it
// commits on its own, without the round trips of BEGIN and COMMIT.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	const insert = `INSERT INTO audit_events (id, org_id, time, action, member_id, token_id, target, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	args := []any{e.ID, e.OrgID, ms(e.Time), e.Action, e.MemberID, e.TokenID, e.Target, e.Detail}
	if s.joinedTx(ctx) == nil {
		_, err := s.pool.Exec(ctx, insert, args...)
		return mapErr(err)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, insert, args...)
		return err
	})
}

// ListAudit lists oldest first; events of the same millisecond keep the
// order they were appended in.
func (s *Store) ListAudit(ctx context.Context, orgID string, limit, offset int) ([]store.AuditEvent, int, error) {
	tx, done, err := s.snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	var total int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE org_id = $1`, orgID).Scan(&total); err != nil {
		return nil, 0, err
	}
	lim, off := limitArgs(limit, offset)
	rows, err := tx.Query(ctx, `SELECT id, org_id, time, action, member_id, token_id, target, detail
		FROM audit_events WHERE org_id = $1 ORDER BY time, seq LIMIT $2 OFFSET $3`, orgID, lim, off)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		var e store.AuditEvent
		if err := rows.Scan(&e.ID, &e.OrgID, &e.Time, &e.Action, &e.MemberID, &e.TokenID, &e.Target, &e.Detail); err != nil {
			return nil, 0, err
		}
		e.Time = e.Time.UTC()
		out = append(out, e)
	}
	return out, total, rows.Err()
}
