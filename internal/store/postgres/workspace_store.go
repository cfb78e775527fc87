package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const workspaceColumns = `id, org_id, name, description, owner_id, created_at, updated_at`

// memberList is w.MemberIDs without duplicates, with the owner first if
// the caller left them out.
func memberList(w store.Workspace) []string {
	out := make([]string, 0, len(w.MemberIDs)+1)
	if !slices.Contains(w.MemberIDs, w.OwnerID) {
		out = append(out, w.OwnerID)
	}
	for _, id := range w.MemberIDs {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// writeWorkspaceMembers replaces the membership of w after checking that
// every member belongs to w's organisation.
func writeWorkspaceMembers(ctx context.Context, tx pgx.Tx, w store.Workspace) error {
	ids := memberList(w)
	for _, id := range ids {
		if err := memberExists(ctx, tx, w.OrgID, id); err != nil {
			return fmt.Errorf("%w: member %s", err, id)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM workspace_members WHERE workspace_id = $1`, w.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO workspace_members (workspace_id, member_id, position)
		SELECT $1, m.id, m.pos - 1 FROM unnest($2::text[]) WITH ORDINALITY AS m (id, pos)`, w.ID, ids)
	return err
}

func insertWorkspace(ctx context.Context, tx pgx.Tx, w store.Workspace) error {
	if err := memberExists(ctx, tx, w.OrgID, w.OwnerID); err != nil {
		return fmt.Errorf("%w: owner %s", err, w.OwnerID)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO workspaces (`+workspaceColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		w.ID, w.OrgID, w.Name, w.Description, w.OwnerID, ms(w.CreatedAt), ms(w.UpdatedAt)); err != nil {
		return mapErr(err)
	}
	return writeWorkspaceMembers(ctx, tx, w)
}

// selectWorkspaces reads workspaces with their members, in the order they
// were added, in one statement: one consistent view without a transaction.
const selectWorkspaces = `SELECT w.id, w.org_id, w.name, w.description, w.owner_id, w.created_at, w.updated_at,
		coalesce((SELECT array_agg(wm.member_id ORDER BY wm.position) FROM workspace_members wm WHERE wm.workspace_id = w.id), '{}')
	FROM workspaces w WHERE w.org_id = $1`

func scanWorkspaceWithMembers(r pgx.Row) (store.Workspace, error) {
	var w store.Workspace
	err := r.Scan(&w.ID, &w.OrgID, &w.Name, &w.Description, &w.OwnerID, &w.CreatedAt, &w.UpdatedAt, &w.MemberIDs)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	w.MemberIDs = unlist(w.MemberIDs)
	return w, err
}

func getWorkspace(ctx context.Context, q querier, orgID, where string, arg any) (store.Workspace, error) {
	w, err := scanWorkspaceWithMembers(q.QueryRow(ctx, selectWorkspaces+` AND w.`+where, orgID, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, store.ErrNotFound
	}
	return w, err
}

func (s *Store) CreateWorkspace(ctx context.Context, w store.Workspace) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return insertWorkspace(ctx, tx, w) })
}

func (s *Store) GetWorkspace(ctx context.Context, orgID, id string) (store.Workspace, error) {
	return getWorkspace(ctx, s.reader(ctx), orgID, `id = $2`, id)
}

func (s *Store) GetWorkspaceByName(ctx context.Context, orgID, name string) (store.Workspace, error) {
	return getWorkspace(ctx, s.reader(ctx), orgID, `name = $2`, name)
}

func (s *Store) ListWorkspaces(ctx context.Context, orgID string) ([]store.Workspace, error) {
	rows, err := s.reader(ctx).Query(ctx, selectWorkspaces+` ORDER BY w.created_at, w.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Workspace
	for rows.Next() {
		w, err := scanWorkspaceWithMembers(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (s *Store) UpdateWorkspace(ctx context.Context, w store.Workspace) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		var ownerID string
		err := tx.QueryRow(ctx, `SELECT owner_id FROM workspaces WHERE id = $1 AND org_id = $2 FOR UPDATE`, w.ID, w.OrgID).Scan(&ownerID)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET name = $1, description = $2, updated_at = $3 WHERE id = $4`,
			w.Name, w.Description, ms(w.UpdatedAt), w.ID); err != nil {
			return err
		}
		// The owner changes only through TransferWorkspace.
		w.OwnerID = ownerID
		return writeWorkspaceMembers(ctx, tx, w)
	})
}

func (s *Store) DeleteWorkspace(ctx context.Context, orgID, id string) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		return mustAffect(tx.Exec(ctx, `DELETE FROM workspaces WHERE id = $1 AND org_id = $2`, id, orgID))
	})
}

func (s *Store) TransferWorkspace(ctx context.Context, orgID, id, newOwnerID string, spareRoles []string, now time.Time) (w store.Workspace, narrowed, revoked int, err error) {
	err = s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM workspaces WHERE id = $1 AND org_id = $2 FOR UPDATE`, id, orgID); err != nil {
			return err
		}
		w, err = getWorkspace(ctx, tx, orgID, `id = $2`, id)
		if err != nil {
			return err
		}
		if err := memberExists(ctx, tx, orgID, newOwnerID); err != nil {
			return fmt.Errorf("%w: member %s", err, newOwnerID)
		}
		w.OwnerID = newOwnerID
		w.UpdatedAt = ms(now)
		if !slices.Contains(w.MemberIDs, newOwnerID) {
			w.MemberIDs = append(w.MemberIDs, newOwnerID)
		}
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET owner_id = $1, updated_at = $2 WHERE id = $3`,
			newOwnerID, ms(now), id); err != nil {
			return err
		}
		if err := writeWorkspaceMembers(ctx, tx, w); err != nil {
			return err
		}
		narrowed, revoked, err = cutWorkspaceFromTokens(ctx, tx, orgID, id, newOwnerID, spareRoles, now)
		return err
	})
	if err != nil {
		return store.Workspace{}, 0, 0, err
	}
	return w, narrowed, revoked, nil
}

// cutWorkspaceFromTokens stops every personal token of a member other than
// keep, and holding none of spareRoles, from reaching workspace wsID. The
// rows are locked as they are read, so a concurrent reset cannot bring the
// workspace back.
func cutWorkspaceFromTokens(ctx context.Context, tx pgx.Tx, orgID, wsID, keep string, spareRoles []string, now time.Time) (narrowed, revoked int, err error) {
	rows, err := tx.Query(ctx, `SELECT t.id, t.all_workspaces, t.workspace_ids, t.excluded_workspace_ids FROM tokens t
		WHERE t.org_id = $1 AND NOT t.service AND t.member_id <> $2
		AND (t.all_workspaces OR $3 = ANY (t.workspace_ids))
		AND t.member_id NOT IN (SELECT m.id FROM members m WHERE m.org_id = t.org_id AND m.role = ANY ($4::text[]))
		ORDER BY t.id FOR UPDATE OF t`,
		orgID, keep, wsID, list(spareRoles))
	if err != nil {
		return 0, 0, err
	}
	type change struct {
		id               string
		all              bool
		listed, excluded []string
	}
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.all, &c.listed, &c.excluded); err != nil {
			rows.Close()
			return 0, 0, err
		}
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}

	for _, c := range changes {
		listed, excluded, cut := store.CutWorkspace(c.all, c.listed, c.excluded, wsID)
		switch cut {
		case store.ScopeRevoked:
			if _, err := tx.Exec(ctx, `DELETE FROM tokens WHERE id = $1`, c.id); err != nil {
				return 0, 0, err
			}
			revoked++
		case store.ScopeNarrowed:
			if _, err := tx.Exec(ctx, `UPDATE tokens SET workspace_ids = $1, excluded_workspace_ids = $2, updated_at = $3 WHERE id = $4`,
				list(listed), list(excluded), ms(now), c.id); err != nil {
				return 0, 0, err
			}
			narrowed++
		}
	}
	return narrowed, revoked, nil
}
