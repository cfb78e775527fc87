package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const workspaceColumns = `id, org_id, name, description, owner_id, created_at, updated_at`

func scanWorkspace(r scanner) (store.Workspace, error) {
	var w store.Workspace
	var created, updated int64
	if err := r.Scan(&w.ID, &w.OrgID, &w.Name, &w.Description, &w.OwnerID, &created, &updated); err != nil {
		return w, err
	}
	w.CreatedAt, w.UpdatedAt = fromMillis(created), fromMillis(updated)
	return w, nil
}

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
func writeWorkspaceMembers(ctx context.Context, tx *sql.Tx, w store.Workspace) error {
	ids := memberList(w)
	for _, id := range ids {
		if err := memberExists(ctx, tx, w.OrgID, id); err != nil {
			return fmt.Errorf("%w: member %s", err, id)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM workspace_members WHERE workspace_id = ?`, w.ID); err != nil {
		return err
	}
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO workspace_members (workspace_id, member_id, position) VALUES (?, ?, ?)`,
			w.ID, id, i); err != nil {
			return err
		}
	}
	return nil
}

func insertWorkspace(ctx context.Context, tx *sql.Tx, w store.Workspace) error {
	if err := memberExists(ctx, tx, w.OrgID, w.OwnerID); err != nil {
		return fmt.Errorf("%w: owner %s", err, w.OwnerID)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO workspaces (`+workspaceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.OrgID, w.Name, w.Description, w.OwnerID, toMillis(w.CreatedAt), toMillis(w.UpdatedAt)); err != nil {
		return mapErr(err)
	}
	return writeWorkspaceMembers(ctx, tx, w)
}

// loadMembers fills MemberIDs of the given workspaces.
func loadMembers(ctx context.Context, q querier, orgID string, ws []store.Workspace) error {
	if len(ws) == 0 {
		return nil
	}
	query := `SELECT wm.workspace_id, wm.member_id FROM workspace_members wm
		JOIN workspaces w ON w.id = wm.workspace_id WHERE w.org_id = ?`
	args := []any{orgID}
	if len(ws) == 1 {
		query += ` AND w.id = ?`
		args = append(args, ws[0].ID)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY wm.workspace_id, wm.position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	members := map[string][]string{}
	for rows.Next() {
		var wsID, memberID string
		if err := rows.Scan(&wsID, &memberID); err != nil {
			return err
		}
		members[wsID] = append(members[wsID], memberID)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range ws {
		ws[i].MemberIDs = members[ws[i].ID]
	}
	return nil
}

func getWorkspace(ctx context.Context, q querier, orgID, where string, arg any) (store.Workspace, error) {
	w, err := scanWorkspace(q.QueryRowContext(ctx,
		`SELECT `+workspaceColumns+` FROM workspaces WHERE org_id = ? AND `+where, orgID, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return w, store.ErrNotFound
	}
	if err != nil {
		return w, err
	}
	one := []store.Workspace{w}
	err = loadMembers(ctx, q, orgID, one)
	return one[0], err
}

func (s *Store) CreateWorkspace(ctx context.Context, w store.Workspace) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertWorkspace(ctx, tx, w) })
}

func (s *Store) GetWorkspace(ctx context.Context, orgID, id string) (store.Workspace, error) {
	return getWorkspace(ctx, s.reader(ctx), orgID, `id = ?`, id)
}

func (s *Store) GetWorkspaceByName(ctx context.Context, orgID, name string) (store.Workspace, error) {
	return getWorkspace(ctx, s.reader(ctx), orgID, `name = ?`, name)
}

func (s *Store) ListWorkspaces(ctx context.Context, orgID string) ([]store.Workspace, error) {
	// One read transaction, so the workspaces and their members come from
	// the same snapshot.
	tx, done, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := tx.QueryContext(ctx,
		`SELECT `+workspaceColumns+` FROM workspaces WHERE org_id = ? ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, err
	}
	var out []store.Workspace
	for rows.Next() {
		w, err := scanWorkspace(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadMembers(ctx, tx, orgID, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) UpdateWorkspace(ctx context.Context, w store.Workspace) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		var ownerID string
		err := tx.QueryRowContext(ctx, `SELECT owner_id FROM workspaces WHERE id = ? AND org_id = ?`, w.ID, w.OrgID).Scan(&ownerID)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE workspaces SET name = ?, description = ?, updated_at = ? WHERE id = ?`,
			w.Name, w.Description, toMillis(w.UpdatedAt), w.ID); err != nil {
			return err
		}
		// The owner changes only through TransferWorkspace.
		w.OwnerID = ownerID
		return writeWorkspaceMembers(ctx, tx, w)
	})
}

func (s *Store) DeleteWorkspace(ctx context.Context, orgID, id string) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM workspaces WHERE id = ? AND org_id = ?`, id, orgID))
	})
}

func (s *Store) TransferWorkspace(ctx context.Context, orgID, id, newOwnerID string, spareRoles []string, now time.Time) (w store.Workspace, narrowed, revoked int, err error) {
	err = s.inDurableTx(ctx, func(tx *sql.Tx) error {
		w, err = getWorkspace(ctx, tx, orgID, `id = ?`, id)
		if err != nil {
			return err
		}
		if err := memberExists(ctx, tx, orgID, newOwnerID); err != nil {
			return fmt.Errorf("%w: member %s", err, newOwnerID)
		}
		w.OwnerID = newOwnerID
		w.UpdatedAt = now
		if !slices.Contains(w.MemberIDs, newOwnerID) {
			w.MemberIDs = append(w.MemberIDs, newOwnerID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE workspaces SET owner_id = ?, updated_at = ? WHERE id = ?`,
			newOwnerID, toMillis(now), id); err != nil {
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
// keep, and holding none of spareRoles, from reaching workspace wsID.
func cutWorkspaceFromTokens(ctx context.Context, tx *sql.Tx, orgID, wsID, keep string, spareRoles []string, now time.Time) (narrowed, revoked int, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, all_workspaces, workspace_ids, excluded_workspace_ids FROM tokens
		WHERE org_id = ? AND service = 0 AND member_id <> ?
		AND (all_workspaces = 1 OR EXISTS (SELECT 1 FROM json_each(tokens.workspace_ids) WHERE value = ?))
		AND member_id NOT IN (SELECT m.id FROM members m WHERE m.org_id = tokens.org_id
			AND m.role IN (SELECT value FROM json_each(?)))`,
		orgID, keep, wsID, encodeList(spareRoles))
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
		var listed, excluded string
		if err := rows.Scan(&c.id, &c.all, &listed, &excluded); err != nil {
			rows.Close()
			return 0, 0, err
		}
		if c.listed, err = decodeList(listed); err != nil {
			rows.Close()
			return 0, 0, err
		}
		if c.excluded, err = decodeList(excluded); err != nil {
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
			if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE id = ?`, c.id); err != nil {
				return 0, 0, err
			}
			revoked++
		case store.ScopeNarrowed:
			if _, err := tx.ExecContext(ctx, `UPDATE tokens SET workspace_ids = ?, excluded_workspace_ids = ?, updated_at = ? WHERE id = ?`,
				encodeList(listed), encodeList(excluded), toMillis(now), c.id); err != nil {
				return 0, 0, err
			}
			narrowed++
		}
	}
	return narrowed, revoked, nil
}
