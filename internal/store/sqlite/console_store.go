package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) GetMemberByEmail(ctx context.Context, orgID, email string) (store.Member, error) {
	m, err := scanMember(s.reader(ctx).QueryRowContext(ctx,
		`SELECT `+memberColumns+` FROM members WHERE email = ? AND org_id = ?`, email, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, store.ErrNotFound
	}
	return m, err
}

func (s *Store) SetMemberPassword(ctx context.Context, orgID, memberID, hash string) error {
	return s.inDurableTx(ctx, func(tx *sql.Tx) error {
		if err := mustAffect(tx.ExecContext(ctx,
			`UPDATE members SET password_hash = ? WHERE id = ? AND org_id = ?`, hash, memberID, orgID)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE member_id = ?`, memberID)
		return err
	})
}

func (s *Store) MemberPassword(ctx context.Context, orgID, memberID string) (string, error) {
	var hash string
	err := s.reader(ctx).QueryRowContext(ctx,
		`SELECT password_hash FROM members WHERE id = ? AND org_id = ?`, memberID, orgID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return hash, err
}

func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (digest, org_id, member_id, csrf, flash, created_at, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, se.Digest, se.OrgID, se.MemberID, se.CSRF, se.Flash,
			toMillis(se.CreatedAt), toMillis(se.LastSeen))
		return mapErr(err)
	})
}

func (s *Store) GetSession(ctx context.Context, digest []byte) (store.Session, error) {
	var se store.Session
	var created, seen int64
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT digest, org_id, member_id, csrf, flash, created_at, last_seen
		FROM console_sessions WHERE digest = ?`, digest).Scan(&se.Digest, &se.OrgID, &se.MemberID, &se.CSRF, &se.Flash, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return se, store.ErrNotFound
	}
	se.CreatedAt, se.LastSeen = fromMillis(created), fromMillis(seen)
	return se, err
}

func (s *Store) UpdateSession(ctx context.Context, se store.Session) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE console_sessions SET last_seen = ?, flash = ? WHERE digest = ?`,
			toMillis(se.LastSeen), se.Flash, se.Digest))
	})
}

func (s *Store) DeleteSession(ctx context.Context, digest []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE digest = ?`, digest)
		return err
	})
}

func (s *Store) PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE last_seen < ? OR created_at < ?`,
			toMillis(idleBefore), toMillis(createdBefore))
		return err
	})
}
