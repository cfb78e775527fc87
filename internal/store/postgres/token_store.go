package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

const tokenColumns = `id, org_id, member_id, name, description, service, role, custom_role_ids, inline_role,
	permissions, workspace_ids, all_workspaces, excluded_workspace_ids, default_api_version, expires_at,
	digest, last_four, prev_digest, prev_expires_at, created_at, updated_at, last_used_at, access`

// PostgreSQL answers the OR with a bitmap OR of the two digest indexes.
const selectTokenByDigest = `SELECT ` + tokenColumns + ` FROM tokens
	WHERE digest = $1 OR (prev_digest = $1 AND prev_expires_at > $2) LIMIT 1`

func scanToken(r pgx.Row) (store.Token, error) {
	var t store.Token
	var inline, access []byte
	err := r.Scan(&t.ID, &t.OrgID, &t.MemberID, &t.Name, &t.Description, &t.Service, &t.Role, &t.CustomRoleIDs, &inline,
		&t.Permissions, &t.WorkspaceIDs, &t.AllWorkspaces, &t.ExcludedWorkspaceIDs, &t.DefaultAPIVersion, &t.ExpiresAt,
		&t.Digest, &t.LastFour, &t.PrevDigest, &t.PrevExpiresAt, &t.CreatedAt, &t.UpdatedAt, &t.LastUsedAt, &access)
	if err != nil {
		return t, err
	}
	if t.InlineRole, err = decodeStatements(inline); err != nil {
		return t, err
	}
	if t.Access, err = decodeAccess(access); err != nil {
		return t, err
	}
	t.CustomRoleIDs, t.Permissions = unlist(t.CustomRoleIDs), unlist(t.Permissions)
	t.WorkspaceIDs, t.ExcludedWorkspaceIDs = unlist(t.WorkspaceIDs), unlist(t.ExcludedWorkspaceIDs)
	t.PrevDigest = nullBytes(t.PrevDigest)
	t.ExpiresAt, t.PrevExpiresAt, t.LastUsedAt = utcPtr(t.ExpiresAt), utcPtr(t.PrevExpiresAt), utcPtr(t.LastUsedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// checkCustomRoles makes sure every role id names a role of orgID.
func checkCustomRoles(ctx context.Context, tx pgx.Tx, orgID string, ids []string) error {
	for _, id := range ids {
		ok, err := exists(ctx, tx, `SELECT 1 FROM custom_roles WHERE id = $1 AND org_id = $2`, id, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: custom role %s", store.ErrNotFound, id)
		}
	}
	return nil
}

func writeTokenRoles(ctx context.Context, tx pgx.Tx, t store.Token, replace bool) error {
	if replace {
		if _, err := tx.Exec(ctx, `DELETE FROM token_custom_roles WHERE token_id = $1`, t.ID); err != nil {
			return err
		}
	}
	if len(t.CustomRoleIDs) == 0 {
		return nil
	}
	ids := slices.Clone(t.CustomRoleIDs)
	slices.Sort(ids)
	_, err := tx.Exec(ctx, `INSERT INTO token_custom_roles (token_id, role_id) SELECT $1, unnest($2::text[])`,
		t.ID, slices.Compact(ids))
	return err
}

// insertToken inserts t if its owner is a member of the organisation and
// neither quota of q (zero: none) is reached, all in the INSERT itself: one
// round trip, and, under a quota, the shortest possible hold of the lock
// CreateToken takes first.
func insertToken(ctx context.Context, tx pgx.Tx, t store.Token, q store.Quota) error {
	if err := checkCustomRoles(ctx, tx, t.OrgID, t.CustomRoleIDs); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO tokens (`+tokenColumns+`)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $25::jsonb
		WHERE EXISTS (SELECT 1 FROM members WHERE id = $3 AND org_id = $2)
		AND ($23::integer = 0 OR (SELECT count(*) FROM tokens WHERE member_id = $3) < $23::integer)
		AND ($24::integer = 0 OR (SELECT count(*) FROM tokens WHERE org_id = $2) < $24::integer)`,
		t.ID, t.OrgID, t.MemberID, t.Name, t.Description, t.Service, t.Role,
		list(t.CustomRoleIDs), encodeStatements(t.InlineRole), list(t.Permissions),
		list(t.WorkspaceIDs), t.AllWorkspaces, list(t.ExcludedWorkspaceIDs),
		t.DefaultAPIVersion, msPtr(t.ExpiresAt), t.Digest, t.LastFour, nullBytes(t.PrevDigest),
		msPtr(t.PrevExpiresAt), ms(t.CreatedAt), ms(t.UpdatedAt), msPtr(t.LastUsedAt), q.PerMember, q.PerOrg,
		encodeAccess(t.Access))
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return refusal(ctx, tx, t, q)
	}
	return writeTokenRoles(ctx, tx, t, false)
}

// refusal says why insertToken inserted nothing.
func refusal(ctx context.Context, tx pgx.Tx, t store.Token, q store.Quota) error {
	if err := memberExists(ctx, tx, t.OrgID, t.MemberID); err != nil {
		return fmt.Errorf("%w: member %s", err, t.MemberID)
	}
	var perMember int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM tokens WHERE member_id = $1`, t.MemberID).Scan(&perMember); err != nil {
		return err
	}
	if q.PerMember > 0 && perMember >= q.PerMember {
		return &store.QuotaError{Scope: "member", Limit: q.PerMember}
	}
	return &store.QuotaError{Scope: "organization", Limit: q.PerOrg}
}

// CreateToken first locks the row of what it counts against: the
// organisation under a PerOrg quota (which also orders every create of its
// members), else the member under a PerMember quota. A concurrent create,
// from any replica, waits for this one to commit; its INSERT, a new
// statement, then counts this token.
func (s *Store) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		switch {
		case q.PerOrg > 0:
			_, err = tx.Exec(ctx, `SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, t.OrgID)
		case q.PerMember > 0:
			_, err = tx.Exec(ctx, `SELECT 1 FROM members WHERE id = $1 FOR NO KEY UPDATE`, t.MemberID)
		}
		if err != nil {
			return err
		}
		return insertToken(ctx, tx, t, q)
	})
}

func (s *Store) GetToken(ctx context.Context, orgID, id string) (store.Token, error) {
	t, err := scanToken(s.reader(ctx).QueryRow(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE id = $1 AND org_id = $2`, id, orgID))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, store.ErrNotFound
	}
	return t, err
}

func (s *Store) GetTokenByDigest(ctx context.Context, digest []byte, now time.Time) (store.Token, error) {
	if len(digest) == 0 {
		return store.Token{}, store.ErrNotFound
	}
	t, err := scanToken(s.reader(ctx).QueryRow(ctx, selectTokenByDigest, digest, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, store.ErrNotFound
	}
	return t, err
}

func (s *Store) ListTokens(ctx context.Context, f store.TokenFilter) ([]store.Token, int, error) {
	var where []string
	var args []any
	if f.OrgID != "" {
		args = append(args, f.OrgID)
		where = append(where, fmt.Sprintf("org_id = $%d", len(args)))
	}
	if f.MemberID != "" {
		args = append(args, f.MemberID)
		where = append(where, fmt.Sprintf("member_id = $%d", len(args)))
	}
	if !f.UnusedSince.IsZero() {
		args = append(args, ms(f.UnusedSince))
		where = append(where, fmt.Sprintf("coalesce(last_used_at, created_at) < $%d", len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}

	q, done, err := s.snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM tokens`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	lim, off := limitArgs(f.Limit, f.Offset)
	n := len(args)
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT `+tokenColumns+` FROM tokens`+cond+` ORDER BY created_at, id LIMIT $%d OFFSET $%d`, n+1, n+2),
		append(args, lim, off)...)
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
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		if err := checkCustomRoles(ctx, tx, t.OrgID, t.CustomRoleIDs); err != nil {
			return err
		}
		err := mustAffect(tx.Exec(ctx, `UPDATE tokens SET name = $1, description = $2, role = $3,
			custom_role_ids = $4, inline_role = $5, permissions = $6, workspace_ids = $7, all_workspaces = $8,
			excluded_workspace_ids = $9, digest = $10, last_four = $11, prev_digest = $12, prev_expires_at = $13, updated_at = $14,
			access = $17
			WHERE id = $15 AND org_id = $16`,
			t.Name, t.Description, t.Role, list(t.CustomRoleIDs), encodeStatements(t.InlineRole),
			list(t.Permissions), list(t.WorkspaceIDs), t.AllWorkspaces,
			list(t.ExcludedWorkspaceIDs), t.Digest, t.LastFour, nullBytes(t.PrevDigest),
			msPtr(t.PrevExpiresAt), ms(t.UpdatedAt), t.ID, t.OrgID, encodeAccess(t.Access)))
		if err != nil {
			return mapErr(err)
		}
		return writeTokenRoles(ctx, tx, t, true)
	})
}

func (s *Store) DeleteToken(ctx context.Context, orgID, id string) error {
	return s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		return mustAffect(tx.Exec(ctx, `DELETE FROM tokens WHERE id = $1 AND org_id = $2`, id, orgID))
	})
}

func (s *Store) DeleteMemberTokens(ctx context.Context, orgID, memberID string) (int, error) {
	var n int64
	err := s.inNotifyingTx(ctx, func(tx pgx.Tx) error {
		if err := memberExists(ctx, tx, orgID, memberID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM tokens WHERE member_id = $1 AND org_id = $2`, memberID, orgID)
		n = tag.RowsAffected()
		return err
	})
	return int(n), err
}

// RecordLastUsed writes every time in one statement; unknown ids (tokens
// deleted since their last use) change nothing, and an older time never
// overwrites a newer one written by another replica.
func (s *Store) RecordLastUsed(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	// Sorted, so two replicas flushing at once lock rows in the same order.
	slices.Sort(ids)
	ats := make([]time.Time, len(ids))
	for i, id := range ids {
		ats[i] = ms(used[id])
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE tokens t SET last_used_at = u.at
			FROM unnest($1::text[], $2::timestamptz[]) AS u (id, at)
			WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at < u.at)`, ids, ats)
		return err
	})
}
