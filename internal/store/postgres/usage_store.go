package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// RecordUsage adds every count in one statement. Counts of the same token
// and day are summed first, as one INSERT may not update a row twice. The
// token rows are share-locked in id order, so a token deleted meanwhile is
// skipped rather than failing the foreign key, and two replicas flushing
// at once lock in the same order.
func (s *Store) RecordUsage(ctx context.Context, counts []store.UsageCount) error {
	if len(counts) == 0 {
		return nil
	}
	sorted := slices.Clone(counts)
	slices.SortFunc(sorted, func(a, b store.UsageCount) int {
		if c := strings.Compare(a.TokenID, b.TokenID); c != 0 {
			return c
		}
		return a.Day.Compare(b.Day)
	})
	ids := make([]string, len(sorted))
	days := make([]time.Time, len(sorted))
	ns := make([]int64, len(sorted))
	for i, c := range sorted {
		ids[i], days[i], ns[i] = c.TokenID, ms(c.Day), c.Count
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO token_usage (token_id, day, count)
			SELECT u.id, u.day, sum(u.n)
			FROM unnest($1::text[], $2::timestamptz[], $3::bigint[]) AS u (id, day, n)
			JOIN (SELECT id FROM tokens WHERE id = ANY ($1::text[]) ORDER BY id FOR KEY SHARE) AS t ON t.id = u.id
			GROUP BY u.id, u.day
			ORDER BY u.id, u.day
			ON CONFLICT (token_id, day) DO UPDATE SET count = token_usage.count + excluded.count`, ids, days, ns)
		return err
	})
}

func (s *Store) TokenUsage(ctx context.Context, tokenID string, since time.Time) ([]store.UsageCount, error) {
	rows, err := s.reader(ctx).Query(ctx, `SELECT day, count FROM token_usage WHERE token_id = $1 AND day >= $2 ORDER BY day`,
		tokenID, ms(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.UsageCount
	for rows.Next() {
		c := store.UsageCount{TokenID: tokenID}
		if err := rows.Scan(&c.Day, &c.Count); err != nil {
			return nil, err
		}
		c.Day = c.Day.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) PurgeUsage(ctx context.Context, cutoff time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM token_usage WHERE day < $1`, ms(cutoff))
		return err
	})
}
