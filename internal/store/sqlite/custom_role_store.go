package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const customRoleColumns = `id, org_id, key, name, description, base_permissions, permissions, policy, created_at, updated_at, access`

func scanCustomRole(r scanner) (store.CustomRole, error) {
	var c store.CustomRole
	var perms, policy, access string
	var created, updated int64
	if err := r.Scan(&c.ID, &c.OrgID, &c.Key, &c.Name, &c.Description, &c.BasePermissions, &perms, &policy, &created, &updated, &access); err != nil {
		return c, err
	}
	var err error
	if c.Permissions, err = decodeList(perms); err != nil {
		return c, err
	}
	if c.Policy, err = decodeStatements(policy); err != nil {
		return c, err
	}
	if c.Access, err = decodeAccess(access); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, nil
}

func (s *Store) CreateCustomRole(ctx context.Context, r store.CustomRole) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO custom_roles (`+customRoleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.OrgID, r.Key, r.Name, r.Description, r.BasePermissions, encodeList(r.Permissions), encodeStatements(r.Policy),
			toMillis(r.CreatedAt), toMillis(r.UpdatedAt), encodeAccess(r.Access))
		return err
	})
}

func (s *Store) GetCustomRole(ctx context.Context, orgID, keyOrID string) (store.CustomRole, error) {
	// An id match wins over a key match should a key ever look like an id.
	c, err := scanCustomRole(s.reader(ctx).QueryRowContext(ctx, `SELECT `+customRoleColumns+` FROM custom_roles
		WHERE org_id = ?1 AND (id = ?2 OR key = ?2) ORDER BY id = ?2 DESC LIMIT 1`, orgID, keyOrID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, err
}

func (s *Store) ListCustomRoles(ctx context.Context, orgID string) ([]store.CustomRole, error) {
	rows, err := s.reader(ctx).QueryContext(ctx,
		`SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = ? ORDER BY created_at, id`, orgID)
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
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE custom_roles
			SET name = ?, description = ?, base_permissions = ?, permissions = ?, policy = ?, updated_at = ?, access = ?
			WHERE id = ? AND org_id = ?`,
			r.Name, r.Description, r.BasePermissions, encodeList(r.Permissions), encodeStatements(r.Policy), toMillis(r.UpdatedAt), encodeAccess(r.Access),
			r.ID, r.OrgID))
	})
}

func (s *Store) DeleteCustomRole(ctx context.Context, orgID, id string) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		n, err := countTokensUsingRole(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return &store.InUseError{Tokens: n}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM custom_roles WHERE id = ?`, id)
		return err
	})
}

func (s *Store) CountTokensUsingRole(ctx context.Context, orgID, id string) (int, error) {
	return countTokensUsingRole(ctx, s.reader(ctx), orgID, id)
}

func countTokensUsingRole(ctx context.Context, q querier, orgID, id string) (int, error) {
	ok, err := exists(ctx, q, `SELECT 1 FROM custom_roles WHERE id = ? AND org_id = ?`, id, orgID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, store.ErrNotFound
	}
	var n int
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM token_custom_roles WHERE role_id = ?`, id).Scan(&n)
	return n, err
}
