package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (s *Store) GetMemberByEmail(ctx context.Context, orgID, email string) (store.Member, error) {
	m, err := scanMember(s.reader(ctx).QueryRow(ctx,
		`SELECT `+memberColumns+` FROM members WHERE lower(email) = lower($1) AND org_id = $2`, email, orgID))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, store.ErrNotFound
	}
	return m, err
}

// SetMemberPassword also ends the member's sessions, in the same
// transaction, so a changed password signs out every replica's browsers.
func (s *Store) SetMemberPassword(ctx context.Context, orgID, memberID, hash string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := mustAffect(tx.Exec(ctx,
			`UPDATE members SET password_hash = $1 WHERE id = $2 AND org_id = $3`, hash, memberID, orgID)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE member_id = $1`, memberID)
		return err
	})
}

func (s *Store) MemberPassword(ctx context.Context, orgID, memberID string) (string, error) {
	var hash string
	err := s.reader(ctx).QueryRow(ctx,
		`SELECT password_hash FROM members WHERE id = $1 AND org_id = $2`, memberID, orgID).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return hash, err
}

func (s *Store) CreateSession(ctx context.Context, se store.Session) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO console_sessions (digest, org_id, member_id, csrf, flash, created_at, last_seen)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, se.Digest, se.OrgID, se.MemberID, se.CSRF, nullBytes(se.Flash),
			ms(se.CreatedAt), ms(se.LastSeen))
		return mapErr(err)
	})
}

func (s *Store) GetSession(ctx context.Context, digest []byte) (store.Session, error) {
	var se store.Session
	err := s.reader(ctx).QueryRow(ctx, `SELECT digest, org_id, member_id, csrf, flash, created_at, last_seen
		FROM console_sessions WHERE digest = $1`, digest).Scan(&se.Digest, &se.OrgID, &se.MemberID, &se.CSRF, &se.Flash,
		&se.CreatedAt, &se.LastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
		return se, store.ErrNotFound
	}
	se.CreatedAt, se.LastSeen = se.CreatedAt.UTC(), se.LastSeen.UTC()
	return se, err
}

func (s *Store) UpdateSession(ctx context.Context, se store.Session) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		return mustAffect(tx.Exec(ctx, `UPDATE console_sessions SET last_seen = $1, flash = $2 WHERE digest = $3`,
			ms(se.LastSeen), nullBytes(se.Flash), se.Digest))
	})
}

func (s *Store) DeleteSession(ctx context.Context, digest []byte) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE digest = $1`, digest)
		return err
	})
}

func (s *Store) PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE last_seen < $1 OR created_at < $2`,
			ms(idleBefore), ms(createdBefore))
		return err
	})
}
