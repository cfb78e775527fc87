package sqlite

import (
	"context"
	"database/sql"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) DeleteMemberTokensMatching(ctx context.Context, orgID, memberID string, match func(store.Token) bool) (int, error) {
	n := 0
	err := s.inDurableTx(ctx, func(tx *sql.Tx) error {
		n = 0
		if err := memberExists(ctx, tx, orgID, memberID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE member_id = ? AND org_id = ?`, memberID, orgID)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if match(t) {
				ids = append(ids, t.ID)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if err := mustAffect(tx.ExecContext(ctx, `DELETE FROM tokens WHERE id = ? AND org_id = ?`, id, orgID)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
