package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) RecordUsage(ctx context.Context, counts []store.UsageCount) error {
	if len(counts) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Counts of tokens deleted since their use are dropped by the WHERE.
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO token_usage (token_id, day, count)
			SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?)
			ON CONFLICT (token_id, day) DO UPDATE SET count = count + excluded.count`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range counts {
			if _, err := stmt.ExecContext(ctx, c.TokenID, toMillis(c.Day), c.Count, c.TokenID); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) TokenUsage(ctx context.Context, tokenID string, since time.Time) ([]store.UsageCount, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT day, count FROM token_usage WHERE token_id = ? AND day >= ? ORDER BY day`,
		tokenID, toMillis(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.UsageCount
	for rows.Next() {
		var day, n int64
		if err := rows.Scan(&day, &n); err != nil {
			return nil, err
		}
		out = append(out, store.UsageCount{TokenID: tokenID, Day: fromMillis(day), Count: n})
	}
	return out, rows.Err()
}

func (s *Store) PurgeUsage(ctx context.Context, cutoff time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM token_usage WHERE day < ?`, toMillis(cutoff))
		return err
	})
}
