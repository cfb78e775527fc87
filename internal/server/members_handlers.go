package server

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

type memberSpec struct {
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Role      string `json:"role"`
}

var memberPatchRules = patchRules{
	mutable: fieldSet("email", "firstName", "lastName", "role"),
	fixed:   fieldSet("_id", "_links", "workspaceIds", "creationDate", "lastModified"),
}

func validMember(sp memberSpec) error {
	if len(sp.Email) > 254 || strings.Count(sp.Email, "@") != 1 || strings.HasPrefix(sp.Email, "@") || strings.HasSuffix(sp.Email, "@") || strings.IndexFunc(sp.Email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || isInvisible(r) }) >= 0 {
		return invalid("email", "email must be an address like name@example.com")
	}
	if err := noSecret("email", sp.Email); err != nil {
		return err
	}
	if err := validName("firstName", sp.FirstName, api.MaxMemberNameLength, false); err != nil {
		return err
	}
	if err := validName("lastName", sp.LastName, api.MaxMemberNameLength, false); err != nil {
		return err
	}
	if authz.Rank(sp.Role) < 0 {
		return invalid("role", "role must be one of %s, got %q", strings.Join(api.MemberRoles(), ", "), sp.Role)
	}
	return nil
}

func (s *Server) lastOwner(cl *call, m store.Member) (bool, error) {
	if !authz.IsOwner(m) {
		return false, nil
	}
	all, err := s.store.ListMembers(cl.ctx, s.orgID)
	if err != nil {
		return false, err
	}
	return authz.LastOwner(m, all), nil
}

func (s *Server) memberOut(cl *call, m store.Member) (api.Member, error) {
	ws, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Member{}, err
	}
	return apiMember(m, ws), nil
}

func (s *Server) loadMember(cl *call, action string) (store.Member, error) {
	if err := cl.c.Require(action); err != nil {
		return store.Member{}, err
	}
	id := cl.r.PathValue("id")
	m, err := s.store.GetMember(cl.ctx, s.orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return m, notFound("member %q not found", id)
	}
	return m, err
}

func emailConflict(err error, email string) error {
	if errors.Is(err, store.ErrConflict) {
		return &Error{Code: api.CodeConflict, Field: "email", Detail: fmt.Sprintf("a member with email %q already exists", email)}
	}
	return err
}

func (s *Server) listMembers(cl *call, _ noBody) (api.List[api.Member], error) {
	if err := cl.c.Require(catalogue.MemberRead); err != nil {
		return api.List[api.Member]{}, err
	}
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.Member]{}, err
	}
	all, err := s.store.ListMembers(cl.ctx, s.orgID)
	if err != nil {
		return api.List[api.Member]{}, err
	}
	ws, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.List[api.Member]{}, err
	}
	if email, err := queryText(cl, "email"); err != nil {
		return api.List[api.Member]{}, err
	} else if email != "" {
		all = membersWithEmail(all, email)
	}
	items := []api.Member{}
	for _, m := range slicePage(all, p) {
		items = append(items, apiMember(m, ws))
	}
	return listOf(cl.r, items, len(all), p), nil
}

func (s *Server) getMember(cl *call, _ noBody) (api.Member, error) {
	m, err := s.loadMember(cl, catalogue.MemberRead)
	if err != nil {
		return api.Member{}, err
	}
	return s.memberOut(cl, m)
}

func (s *Server) createMember(cl *call, in api.MemberCreate) (api.Member, error) {
	if err := cl.c.Require(catalogue.MemberWrite); err != nil {
		return api.Member{}, err
	}
	sp := memberSpec{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, Role: in.Role}
	if err := validMember(sp); err != nil {
		return api.Member{}, err
	}
	if err := cl.c.MayManage(store.Member{Role: api.RoleReader}, sp.Role); err != nil {
		return api.Member{}, err
	}
	m := store.Member{ID: newID(), OrgID: s.orgID, Email: sp.Email, FirstName: sp.FirstName, LastName: sp.LastName, Role: sp.Role, CreatedAt: cl.now, UpdatedAt: cl.now}
	if err := s.store.CreateMember(cl.ctx, m); err != nil {
		return api.Member{}, emailConflict(err, m.Email)
	}
	s.audit(cl, "member.create", "member/"+m.ID, "role="+m.Role)
	return s.memberOut(cl, m)
}

func (s *Server) patchMember(cl *call, pb patchBody) (api.Member, error) {
	s.memberMu.Lock()
	defer s.memberMu.Unlock()
	m, err := s.loadMember(cl, catalogue.MemberWrite)
	if err != nil {
		return api.Member{}, err
	}
	var next memberSpec
	touched, err := applyPatch(memberSpec{Email: m.Email, FirstName: m.FirstName, LastName: m.LastName, Role: m.Role}, pb.Ops, memberPatchRules, &next)
	if err != nil {
		return api.Member{}, err
	}
	if err := validMember(next); err != nil {
		return api.Member{}, err
	}
	if err := cl.c.MayManage(m, next.Role); err != nil {
		return api.Member{}, err
	}
	if next.Role != m.Role {
		if last, err := s.lastOwner(cl, m); err != nil {
			return api.Member{}, err
		} else if last {
			return api.Member{}, conflict("member %s is the last owner of the organisation and cannot be demoted", m.ID)
		}
	}
	m.Email, m.FirstName, m.LastName, m.Role = next.Email, next.FirstName, next.LastName, next.Role
	m.UpdatedAt = cl.now
	if err := s.store.UpdateMember(cl.ctx, m); errors.Is(err, store.ErrLastOwner) {
		return api.Member{}, conflict("member %s is the last owner of the organisation and cannot be demoted", m.ID)
	} else if err != nil {
		return api.Member{}, emailConflict(err, m.Email)
	}
	s.audit(cl, "member.update", "member/"+m.ID, fmt.Sprintf("fields=%v role=%s", slices.Sorted(maps.Keys(touched)), m.Role))
	return s.memberOut(cl, m)
}

func (s *Server) deleteMember(cl *call, _ noBody) (noContent, error) {
	s.memberMu.Lock()
	defer s.memberMu.Unlock()
	m, err := s.loadMember(cl, catalogue.MemberWrite)
	if err != nil {
		return noContent{}, err
	}
	if err := cl.c.MayManage(m, ""); err != nil {
		return noContent{}, err
	}
	if last, err := s.lastOwner(cl, m); err != nil {
		return noContent{}, err
	} else if last {
		return noContent{}, conflict("member %s is the last owner of the organisation and cannot be removed", m.ID)
	}
	if err := s.store.DeleteMember(cl.ctx, s.orgID, m.ID); errors.Is(err, store.ErrLastOwner) {
		return noContent{}, conflict("member %s is the last owner of the organisation and cannot be removed", m.ID)
	} else if errors.Is(err, store.ErrConflict) {
		return noContent{}, conflict("member %s owns a workspace; transfer it before removing them", m.ID)
	} else if err != nil {
		return noContent{}, err
	}
	s.audit(cl, "member.delete", "member/"+m.ID, "")
	return noContent{}, nil
}

// membersWithEmail keeps the members whose email is email, compared as the
// store compares emails, without regard to case.
func membersWithEmail(all []store.Member, email string) []store.Member {
	var out []store.Member
	for _, m := range all {
		if strings.EqualFold(m.Email, email) {
			out = append(out, m)
		}
	}
	return out
}
