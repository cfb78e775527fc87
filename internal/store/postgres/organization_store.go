package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) Bootstrap(ctx context.Context, org store.Organization, owner store.Member, ws store.Workspace, tok store.Token) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// Two replicas bootstrapping an empty database at once queue here.
		if _, err := tx.Exec(ctx, `LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT 1 FROM organizations LIMIT 1`)
		if err != nil {
			return err
		}
		if taken {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)`,
			org.ID, org.Name, ms(org.CreatedAt)); err != nil {
			return err
		}
		if err := insertMember(ctx, tx, owner); err != nil {
			return err
		}
		if err := insertWorkspace(ctx, tx, ws); err != nil {
			return err
		}
		return insertToken(ctx, tx, tok, store.Quota{})
	})
}

func (s *Store) Organization(ctx context.Context) (store.Organization, error) {
	var o store.Organization
	err := s.reader(ctx).QueryRow(ctx, `SELECT id, name, created_at FROM organizations ORDER BY created_at, id LIMIT 1`).
		Scan(&o.ID, &o.Name, &o.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, store.ErrNotFound
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return o, err
}
