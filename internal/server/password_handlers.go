package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/password"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// setMemberPassword sets a member's console password. Members set their
// own, giving the current one once they have one; an admin or owner sets
// anyone's at or below their own rank. Every console session of the member
// ends with it.
func (s *Server) setMemberPassword(cl *call, in api.MemberPassword) (noContent, error) {
	id := cl.r.PathValue("id")
	self := id == cl.c.Member.ID
	var target store.Member
	if self {
		if err := cl.c.RefuseOldSecret("change a password"); err != nil {
			return noContent{}, err
		}
		target = cl.c.Member
	} else {
		m, err := s.loadMember(cl, catalogue.MemberWrite)
		if err != nil {
			return noContent{}, err
		}
		if err := cl.c.MayManage(m, ""); err != nil {
			return noContent{}, err
		}
		target = m
	}
	if err := password.Check(in.Password); err != nil {
		return noContent{}, invalid("password", "password: %s", err.Error())
	}
	if self {
		if err := s.checkCurrentPassword(cl, target, in.CurrentPassword); err != nil {
			return noContent{}, err
		}
	} else if in.CurrentPassword != "" {
		return noContent{}, invalid("currentPassword", "currentPassword is only for changing your own password")
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return noContent{}, err
	}
	if err := s.store.SetMemberPassword(cl.ctx, s.orgID, target.ID, hash); errors.Is(err, store.ErrNotFound) {
		return noContent{}, notFound("member %q not found", target.ID)
	} else if err != nil {
		return noContent{}, err
	}
	s.audit(cl, "member.password", "member/"+target.ID, "")
	return noContent{}, nil
}

// checkCurrentPassword confirms a member's own password before a change;
// a member with none set needs none. A wrong one counts as a failed
// authentication of the client's address.
func (s *Server) checkCurrentPassword(cl *call, m store.Member, current string) error {
	hash, err := s.store.MemberPassword(cl.ctx, s.orgID, m.ID)
	if err != nil || hash == "" {
		return err
	}
	if current == "" {
		return invalid("currentPassword", "currentPassword is required to change your own password")
	}
	ok, err := s.VerifyPassword(cl.r, m, current)
	if errors.Is(err, ErrSignInLimited) {
		return &Error{Code: api.CodeRateLimited, Detail: "too many failed authentications from this address; wait a little and try again"}
	} else if err != nil {
		return err
	}
	if !ok {
		return invalid("currentPassword", "currentPassword is not your current password")
	}
	return nil
}

// SetPasswordOffline sets the console password of the member with the given
// email directly in the store, for whoever holds the data directory
// ("tokensmithd set-password"), and records it in the audit log.
func SetPasswordOffline(ctx context.Context, st store.Store, email, pw string, now time.Time) error {
	org, err := st.Organization(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("the store has no organisation: %w", err)
	} else if err != nil {
		return fmt.Errorf("reading the organisation: %w", err)
	}
	m, err := st.GetMemberByEmail(ctx, org.ID, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no member has the email %q", email)
	} else if err != nil {
		return err
	}
	if err := password.Check(pw); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	if err := st.SetMemberPassword(ctx, org.ID, m.ID, hash); err != nil {
		return err
	}
	return st.AppendAudit(ctx, store.AuditEvent{ID: newID(), OrgID: org.ID, Time: now.UTC().Truncate(time.Millisecond),
		Action: "member.password", MemberID: m.ID, Target: "member/" + m.ID, Detail: "set offline"})
}
