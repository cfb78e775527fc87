package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const customRoleColumns = `id, org_id, key, name, description, base_permissions, permissions, policy, created_at, updated_at, access`

func scanCustomRole(r pgx.Row) (store.CustomRole, error) {
	var c store.CustomRole
	var policy, access []byte
	if err := r.Scan(&c.ID, &c.OrgID, &c.Key, &c.Name, &c.Description, &c.BasePermissions, &c.Permissions, &policy,
		&c.CreatedAt, &c.UpdatedAt, &access); err != nil {
		return c, err
	}
	var err error
	if c.Access, err = decodeAccess(access); err != nil {
		return c, err
	}
	c.Policy, err = decodeStatements(policy)
	c.Permissions = unlist(c.Permissions)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

func (s *Store) CreateCustomRole(ctx context.Context, r store.CustomRole) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return insertCustomRole(ctx, tx, r) })
}

func insertCustomRole(ctx context.Context, tx pgx.Tx, r store.CustomRole) error {
	_, err := tx.Exec(ctx, `INSERT INTO custom_roles (`+customRoleColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.OrgID, r.Key, r.Name, r.Description, r.BasePermissions, list(r.Permissions), encodeStatements(r.Policy),
		ms(r.CreatedAt), ms(r.UpdatedAt), encodeAccess(r.Access))
	return err
}

func (s *Store) GetCustomRole(ctx context.Context, orgID, keyOrID string) (store.CustomRole, error) {
	// An id match wins over a key match should a key ever look like an id.
	c, err := scanCustomRole(s.reader(ctx).QueryRow(ctx, `SELECT `+customRoleColumns+` FROM custom_roles
		WHERE org_id = $1 AND (id = $2 OR key = $2) ORDER BY (id = $2) DESC LIMIT 1`, orgID, keyOrID))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, err
}

func (s *Store) ListCustomRoles(ctx context.Context, orgID string) ([]store.CustomRole, error) {
	rows, err := s.reader(ctx).Query(ctx,
		`SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = $1 ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CustomRole
	for rows.Next() {
		c, err := scanCustomRole(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) UpdateCustomRole(ctx context.Context, r store.CustomRole) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		return mustAffect(tx.Exec(ctx, `UPDATE custom_roles
			SET name = $1, description = $2, base_permissions = $3, permissions = $4, policy = $5, updated_at = $6, access = $9
			WHERE id = $7 AND org_id = $8`,
			r.Name, r.Description, r.BasePermissions, list(r.Permissions), encodeStatements(r.Policy), ms(r.UpdatedAt),
			r.ID, r.OrgID, encodeAccess(r.Access)))
	})
}

func (s *Store) DeleteCustomRole(ctx context.Context, orgID, id string) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		// The row lock makes a token create naming this role (whose foreign
		// key takes a share lock on it) wait, or wait for it.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM custom_roles WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		n, err := countTokensUsingRole(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return &store.InUseError{Tokens: n}
		}
		_, err = tx.Exec(ctx, `DELETE FROM custom_roles WHERE id = $1`, id)
		return err
	})
}

func (s *Store) CountTokensUsingRole(ctx context.Context, orgID, id string) (int, error) {
	return countTokensUsingRole(ctx, s.reader(ctx), orgID, id)
}

func countTokensUsingRole(ctx context.Context, q querier, orgID, id string) (int, error) {
	ok, err := exists(ctx, q, `SELECT 1 FROM custom_roles WHERE id = $1 AND org_id = $2`, id, orgID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, store.ErrNotFound
	}
	var n int
	err = q.QueryRow(ctx, `SELECT count(*) FROM token_custom_roles WHERE role_id = $1`, id).Scan(&n)
	return n, err
}
