package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const memberColumns = `id, org_id, email, first_name, last_name, role, created_at, updated_at`

func scanMember(r scanner) (store.Member, error) {
	var m store.Member
	var created, updated int64
	if err := r.Scan(&m.ID, &m.OrgID, &m.Email, &m.FirstName, &m.LastName, &m.Role, &created, &updated); err != nil {
		return m, err
	}
	m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
	return m, nil
}

func insertMember(ctx context.Context, tx *sql.Tx, m store.Member) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO members (`+memberColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.OrgID, m.Email, m.FirstName, m.LastName, m.Role, toMillis(m.CreatedAt), toMillis(m.UpdatedAt))
	return mapErr(err)
}

func memberExists(ctx context.Context, q querier, orgID, id string) error {
	ok, err := exists(ctx, q, `SELECT 1 FROM members WHERE id = ? AND org_id = ?`, id, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) CreateMember(ctx context.Context, m store.Member) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertMember(ctx, tx, m) })
}

func (s *Store) GetMember(ctx context.Context, orgID, id string) (store.Member, error) {
	m, err := scanMember(s.reader(ctx).QueryRowContext(ctx,
		`SELECT `+memberColumns+` FROM members WHERE id = ? AND org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, store.ErrNotFound
	}
	return m, err
}

func (s *Store) ListMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	rows, err := s.reader(ctx).QueryContext(ctx,
		`SELECT `+memberColumns+` FROM members WHERE org_id = ? ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) UpdateMember(ctx context.Context, m store.Member) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx,
			`UPDATE members SET email = ?, first_name = ?, last_name = ?, role = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			m.Email, m.FirstName, m.LastName, m.Role, toMillis(m.UpdatedAt), m.ID, m.OrgID))
	})
}

func (s *Store) DeleteMember(ctx context.Context, orgID, id string) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		if err := memberExists(ctx, tx, orgID, id); err != nil {
			return err
		}
		owns, err := exists(ctx, tx, `SELECT 1 FROM workspaces WHERE owner_id = ? LIMIT 1`, id)
		if err != nil {
			return err
		}
		if owns {
			return fmt.Errorf("%w: the member owns a workspace", store.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE member_id = ?`, id); err != nil {
			return err
		}
		// workspace_members rows go with the member (ON DELETE CASCADE).
		_, err = tx.ExecContext(ctx, `DELETE FROM members WHERE id = ?`, id)
		return err
	})
}
