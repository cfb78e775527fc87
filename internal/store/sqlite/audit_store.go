package sqlite

import (
	"context"
	"database/sql"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (id, org_id, time, action, member_id, token_id, target, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.OrgID, toMillis(e.Time), e.Action, e.MemberID, e.TokenID, e.Target, e.Detail)
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
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE org_id = ?`, orgID).Scan(&total); err != nil {
		return nil, 0, err
	}
	lim, args := limitClause(limit, offset)
	rows, err := tx.QueryContext(ctx, `SELECT id, org_id, time, action, member_id, token_id, target, detail
		FROM audit_events WHERE org_id = ? ORDER BY time, seq`+lim, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		var e store.AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.OrgID, &at, &e.Action, &e.MemberID, &e.TokenID, &e.Target, &e.Detail); err != nil {
			return nil, 0, err
		}
		e.Time = fromMillis(at)
		out = append(out, e)
	}
	return out, total, rows.Err()
}
