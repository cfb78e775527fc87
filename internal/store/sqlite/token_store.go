package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const tokenColumns = `id, org_id, member_id, name, description, service, role, custom_role_ids, inline_role,
	permissions, workspace_ids, all_workspaces, excluded_workspace_ids, default_api_version, expires_at,
	digest, last_four, prev_digest, prev_expires_at, created_at, updated_at, last_used_at, access`

// SQLite answers the OR with one probe of each digest index (MULTI-INDEX
// OR), so the cost does not depend on how many tokens are stored.
const selectTokenByDigest = `SELECT ` + tokenColumns + ` FROM tokens
	WHERE digest = ?1 OR (prev_digest = ?1 AND prev_expires_at > ?2) LIMIT 1`

func scanToken(r scanner) (store.Token, error) {
	var t store.Token
	var customRoles, inline, perms, listed, excluded, access string
	var expires, prevExpires, lastUsed sql.NullInt64
	var created, updated int64
	err := r.Scan(&t.ID, &t.OrgID, &t.MemberID, &t.Name, &t.Description, &t.Service, &t.Role, &customRoles, &inline,
		&perms, &listed, &t.AllWorkspaces, &excluded, &t.DefaultAPIVersion, &expires,
		&t.Digest, &t.LastFour, &t.PrevDigest, &prevExpires, &created, &updated, &lastUsed, &access)
	if err != nil {
		return t, err
	}
	if t.CustomRoleIDs, err = decodeList(customRoles); err != nil {
		return t, err
	}
	if t.InlineRole, err = decodeStatements(inline); err != nil {
		return t, err
	}
	if t.Permissions, err = decodeList(perms); err != nil {
		return t, err
	}
	if t.Access, err = decodeAccess(access); err != nil {
		return t, err
	}
	if t.WorkspaceIDs, err = decodeList(listed); err != nil {
		return t, err
	}
	if t.ExcludedWorkspaceIDs, err = decodeList(excluded); err != nil {
		return t, err
	}
	if len(t.PrevDigest) == 0 {
		t.PrevDigest = nil
	}
	t.ExpiresAt, t.PrevExpiresAt, t.LastUsedAt = fromNullMillis(expires), fromNullMillis(prevExpires), fromNullMillis(lastUsed)
	t.CreatedAt, t.UpdatedAt = fromMillis(created), fromMillis(updated)
	return t, nil
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// checkCustomRoles makes sure every role id names a role of orgID.
func checkCustomRoles(ctx context.Context, tx *sql.Tx, orgID string, ids []string) error {
	for _, id := range ids {
		ok, err := exists(ctx, tx, `SELECT 1 FROM custom_roles WHERE id = ? AND org_id = ?`, id, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: custom role %s", store.ErrNotFound, id)
		}
	}
	return nil
}

func writeTokenRoles(ctx context.Context, tx *sql.Tx, t store.Token) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM token_custom_roles WHERE token_id = ?`, t.ID); err != nil {
		return err
	}
	seen := make([]string, 0, len(t.CustomRoleIDs))
	for _, id := range t.CustomRoleIDs {
		if slices.Contains(seen, id) {
			continue
		}
		seen = append(seen, id)
		if _, err := tx.ExecContext(ctx, `INSERT INTO token_custom_roles (token_id, role_id) VALUES (?, ?)`, t.ID, id); err != nil {
			return err
		}
	}
	return nil
}

func insertToken(ctx context.Context, tx *sql.Tx, t store.Token) error {
	if err := memberExists(ctx, tx, t.OrgID, t.MemberID); err != nil {
		return fmt.Errorf("%w: member %s", err, t.MemberID)
	}
	if err := checkCustomRoles(ctx, tx, t.OrgID, t.CustomRoleIDs); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens (`+tokenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.OrgID, t.MemberID, t.Name, t.Description, boolInt(t.Service), t.Role,
		encodeList(t.CustomRoleIDs), encodeStatements(t.InlineRole), encodeList(t.Permissions),
		encodeList(t.WorkspaceIDs), boolInt(t.AllWorkspaces), encodeList(t.ExcludedWorkspaceIDs),
		t.DefaultAPIVersion, toNullMillis(t.ExpiresAt), t.Digest, t.LastFour, nullBytes(t.PrevDigest),
		toNullMillis(t.PrevExpiresAt), toMillis(t.CreatedAt), toMillis(t.UpdatedAt), toNullMillis(t.LastUsedAt), encodeAccess(t.Access))
	if err != nil {
		return mapErr(err)
	}
	return writeTokenRoles(ctx, tx, t)
}

func (s *Store) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Counting and inserting in one BEGIN IMMEDIATE transaction: no
		// other writer can slip a token in between.
		if q.PerMember > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE member_id = ?`, t.MemberID).Scan(&n); err != nil {
				return err
			}
			if n >= q.PerMember {
				return &store.QuotaError{Scope: "member", Limit: q.PerMember}
			}
		}
		if q.PerOrg > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE org_id = ?`, t.OrgID).Scan(&n); err != nil {
				return err
			}
			if n >= q.PerOrg {
				return &store.QuotaError{Scope: "organization", Limit: q.PerOrg}
			}
		}
		return insertToken(ctx, tx, t)
	})
}

func (s *Store) GetToken(ctx context.Context, orgID, id string) (store.Token, error) {
	t, err := scanToken(s.reader(ctx).QueryRowContext(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE id = ? AND org_id = ?`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	return t, err
}

func (s *Store) GetTokenByDigest(ctx context.Context, digest []byte, now time.Time) (store.Token, error) {
	if len(digest) == 0 {
		return store.Token{}, store.ErrNotFound
	}
	row := s.byDigest.QueryRowContext(ctx, digest, toMillis(now))
	if tx := s.joinedTx(ctx); tx != nil {
		row = tx.QueryRowContext(ctx, selectTokenByDigest, digest, toMillis(now))
	}
	t, err := scanToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	return t, err
}

func (s *Store) ListTokens(ctx context.Context, f store.TokenFilter) ([]store.Token, int, error) {
	var where []string
	var args []any
	if f.OrgID != "" {
		where = append(where, "org_id = ?")
		args = append(args, f.OrgID)
	}
	if f.MemberID != "" {
		where = append(where, "member_id = ?")
		args = append(args, f.MemberID)
	}
	if !f.UnusedSince.IsZero() {
		where = append(where, "COALESCE(last_used_at, created_at) < ?")
		args = append(args, toMillis(f.UnusedSince))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}

	tx, done, err := s.snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tokens`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit, limitArgs := limitClause(f.Limit, f.Offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens`+cond+` ORDER BY created_at, id`+limit,
		append(args, limitArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

func (s *Store) UpdateToken(ctx context.Context, t store.Token) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		if err := checkCustomRoles(ctx, tx, t.OrgID, t.CustomRoleIDs); err != nil {
			return err
		}
		err := mustAffect(tx.ExecContext(ctx, `UPDATE tokens SET name = ?, description = ?, role = ?,
			custom_role_ids = ?, inline_role = ?, permissions = ?, workspace_ids = ?, all_workspaces = ?,
			excluded_workspace_ids = ?, digest = ?, last_four = ?, prev_digest = ?, prev_expires_at = ?, updated_at = ?, access = ?
			WHERE id = ? AND org_id = ?`,
			t.Name, t.Description, t.Role, encodeList(t.CustomRoleIDs), encodeStatements(t.InlineRole),
			encodeList(t.Permissions), encodeList(t.WorkspaceIDs), boolInt(t.AllWorkspaces),
			encodeList(t.ExcludedWorkspaceIDs), t.Digest, t.LastFour, nullBytes(t.PrevDigest),
			toNullMillis(t.PrevExpiresAt), toMillis(t.UpdatedAt), encodeAccess(t.Access), t.ID, t.OrgID))
		if err != nil {
			return mapErr(err)
		}
		return writeTokenRoles(ctx, tx, t)
	})
}

func (s *Store) DeleteToken(ctx context.Context, orgID, id string) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM tokens WHERE id = ? AND org_id = ?`, id, orgID))
	})
}

func (s *Store) DeleteMemberTokens(ctx context.Context, orgID, memberID string) (int, error) {
	var n int64
	err := s.inDurableTx(ctx, func(tx *sql.Tx) error {
		if err := memberExists(ctx, tx, orgID, memberID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE member_id = ? AND org_id = ?`, memberID, orgID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

func (s *Store) RecordLastUsed(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		// Unknown ids (tokens deleted since their last use) change nothing.
		for id, at := range used {
			ms := toMillis(at)
			if _, err := stmt.ExecContext(ctx, ms, id, ms); err != nil {
				return err
			}
		}
		return nil
	})
}
