package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const memberColumns = `id, org_id, email, first_name, last_name, role, created_at, updated_at`

// ownerRole is the role the last-owner rule protects.
const ownerRole = api.RoleOwner

func scanMember(r pgx.Row) (store.Member, error) {
	var m store.Member
	err := r.Scan(&m.ID, &m.OrgID, &m.Email, &m.FirstName, &m.LastName, &m.Role, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

func insertMember(ctx context.Context, tx pgx.Tx, m store.Member) error {
	_, err := tx.Exec(ctx, `INSERT INTO members (`+memberColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		m.ID, m.OrgID, m.Email, m.FirstName, m.LastName, m.Role, ms(m.CreatedAt), ms(m.UpdatedAt))
	return err
}

func memberExists(ctx context.Context, q querier, orgID, id string) error {
	ok, err := exists(ctx, q, `SELECT 1 FROM members WHERE id = $1 AND org_id = $2`, id, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return store.ErrNotFound
	}
	return nil
}

// keepAnOwner refuses to take the owner role from member id when no other
// owner would remain. It first locks the organisation's row, so two
// replicas demoting or removing the last two owners at once take turns and
// the second sees the first's commit.
func keepAnOwner(ctx context.Context, tx pgx.Tx, orgID, id string) error {
	var role string
	err := tx.QueryRow(ctx, `SELECT role FROM members WHERE id = $1 AND org_id = $2`, id, orgID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil || role != ownerRole {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, orgID); err != nil {
		return err
	}
	others, err := exists(ctx, tx, `SELECT 1 FROM members WHERE org_id = $1 AND role = $2 AND id <> $3 LIMIT 1`, orgID, ownerRole, id)
	if err != nil {
		return err
	}
	if !others {
		return store.ErrLastOwner
	}
	return nil
}

func (s *Store) CreateMember(ctx context.Context, m store.Member) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return insertMember(ctx, tx, m) })
}

func (s *Store) GetMember(ctx context.Context, orgID, id string) (store.Member, error) {
	m, err := scanMember(s.reader(ctx).QueryRow(ctx,
		`SELECT `+memberColumns+` FROM members WHERE id = $1 AND org_id = $2`, id, orgID))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, store.ErrNotFound
	}
	return m, err
}

func (s *Store) ListMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	rows, err := s.reader(ctx).Query(ctx,
		`SELECT `+memberColumns+` FROM members WHERE org_id = $1 ORDER BY created_at, id`, orgID)
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

// UpdateMember refuses (ErrConflict) to demote the organisation's last
// owner, whatever another replica commits at the same time.
func (s *Store) UpdateMember(ctx context.Context, m store.Member) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		if m.Role != ownerRole {
			if err := keepAnOwner(ctx, tx, m.OrgID, m.ID); err != nil {
				return err
			}
		}
		return mustAffect(tx.Exec(ctx,
			`UPDATE members SET email = $1, first_name = $2, last_name = $3, role = $4, updated_at = $5 WHERE id = $6 AND org_id = $7`,
			m.Email, m.FirstName, m.LastName, m.Role, ms(m.UpdatedAt), m.ID, m.OrgID))
	})
}

// DeleteMember also refuses (ErrConflict) to remove the last owner.
func (s *Store) DeleteMember(ctx context.Context, orgID, id string) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		if err := keepAnOwner(ctx, tx, orgID, id); err != nil {
			return err
		}
		owns, err := exists(ctx, tx, `SELECT 1 FROM workspaces WHERE owner_id = $1 LIMIT 1`, id)
		if err != nil {
			return err
		}
		if owns {
			return fmt.Errorf("%w: the member owns a workspace", store.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM tokens WHERE member_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM members WHERE id = $1`, id)
		return err
	})
}
