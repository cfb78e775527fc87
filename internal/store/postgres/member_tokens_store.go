package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// DeleteMemberTokensMatching locks the member's tokens before match sees
// them, so a token another replica changes meanwhile is judged on what it
// becomes, and deletes the matches in the same transaction. Other replicas
// hear of it: a deleted token must stop authenticating everywhere.
func (s *Store) DeleteMemberTokensMatching(ctx context.Context, orgID, memberID string, match func(store.Token) bool) (int, error) {
	var n int64
	err := s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		n = 0
		if err := memberExists(ctx, tx, orgID, memberID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE member_id = $1 AND org_id = $2
			ORDER BY id FOR UPDATE`, memberID, orgID)
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
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, `DELETE FROM tokens WHERE id = ANY ($1::text[]) AND org_id = $2`, ids, orgID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
