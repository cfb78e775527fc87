package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) Bootstrap(ctx context.Context, org store.Organization, owner store.Member, ws store.Workspace, tok store.Token) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		taken, err := exists(ctx, tx, `SELECT 1 FROM organizations LIMIT 1`)
		if err != nil {
			return err
		}
		if taken {
			return store.ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)`,
			org.ID, org.Name, toMillis(org.CreatedAt)); err != nil {
			return err
		}
		if err := insertMember(ctx, tx, owner); err != nil {
			return err
		}
		if err := insertWorkspace(ctx, tx, ws); err != nil {
			return err
		}
		return insertToken(ctx, tx, tok)
	})
}

func (s *Store) Organization(ctx context.Context) (store.Organization, error) {
	var o store.Organization
	var created int64
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT id, name, created_at FROM organizations ORDER BY created_at, id LIMIT 1`).
		Scan(&o.ID, &o.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return o, store.ErrNotFound
	}
	if err != nil {
		return o, err
	}
	o.CreatedAt = fromMillis(created)
	return o, nil
}
