package server

import (
	"maps"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func selfLinks(path, id string) api.Links {
	return api.Links{
		"self":   {Href: path + "/" + id, Type: "application/json"},
		"parent": {Href: path, Type: "application/json"},
	}
}

// accessOf is an access grant in its JSON form for a patch: an empty
// grant is {}, so "add /access/<object>" works on it.
func accessOf(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func memberSummary(m store.Member) *api.MemberSummary {
	return &api.MemberSummary{
		Links: selfLinks(api.PathMembers, m.ID), ID: m.ID, Role: m.Role, Email: m.Email,
		FirstName: m.FirstName, LastName: m.LastName,
	}
}

// apiToken renders a token; value is the whole secret on create and reset
// and empty otherwise (the last four characters are shown then).
func (s *Server) apiToken(t store.Token, m store.Member, value string, now time.Time) api.Token {
	out := api.Token{
		ID: t.ID, OwnerID: t.OrgID, MemberID: t.MemberID, Member: memberSummary(m),
		CreationDate: ms(t.CreatedAt), LastModified: ms(t.UpdatedAt),
		Name: t.Name, Description: t.Description,
		Role: t.Role, CustomRoleIDs: t.CustomRoleIDs, Permissions: t.Permissions, Access: t.Access,
		Token: t.LastFour, ServiceToken: t.Service, DefaultAPIVersion: t.DefaultAPIVersion,
		WorkspaceIDs: t.WorkspaceIDs, AllWorkspaces: t.AllWorkspaces,
	}
	if t.ID != "" {
		out.Links = selfLinks(api.PathTokens, t.ID)
	} else {
		out.Links = api.Links{"parent": {Href: api.PathTokens, Type: "application/json"}}
	}
	if len(t.InlineRole) > 0 {
		out.InlineRole = t.InlineRole
		out.NotEnforced = notEnforced(out.InlineRole)
	}
	if value != "" {
		out.Token = value
	}
	if t.ExpiresAt != nil {
		out.ExpirationDate = ms(*t.ExpiresAt)
		out.Expired = !now.Before(*t.ExpiresAt)
	}
	last := t.LastUsedAt
	if mem, ok := s.lastUsed.get(t.ID); ok && (last == nil || mem.After(*last)) {
		last = &mem
	}
	if last != nil {
		out.LastUsed = ms(*last)
	}
	return out
}

func apiRole(r store.CustomRole, tokenCount int) api.CustomRole {
	out := api.CustomRole{
		ID: r.ID, Key: r.Key, Name: r.Name, Description: r.Description,
		Policy: nonNil(r.Policy), BasePermissions: r.BasePermissions, Permissions: r.Permissions, Access: r.Access,
		CreationDate: ms(r.CreatedAt), LastModified: ms(r.UpdatedAt), TokenCount: tokenCount,
	}
	out.NotEnforced = notEnforced(out.Policy)
	if r.ID != "" {
		out.Links = selfLinks(api.PathRoles, r.ID)
	} else {
		out.Links = api.Links{"parent": {Href: api.PathRoles, Type: "application/json"}}
	}
	return out
}

func apiWorkspace(w store.Workspace) api.Workspace {
	return api.Workspace{
		ID: w.ID, Links: selfLinks(api.PathWorkspaces, w.ID), Name: w.Name, Description: w.Description,
		OwnerID: w.OwnerID, MemberIDs: nonNil(w.MemberIDs), CreationDate: ms(w.CreatedAt), LastModified: ms(w.UpdatedAt),
	}
}

func apiMember(m store.Member, workspaces []store.Workspace) api.Member {
	ids := []string{}
	for _, w := range workspaces {
		if authz.IsMember(w, m.ID) {
			ids = append(ids, w.ID)
		}
	}
	return api.Member{
		ID: m.ID, Links: selfLinks(api.PathMembers, m.ID), Email: m.Email, FirstName: m.FirstName, LastName: m.LastName,
		Role: m.Role, WorkspaceIDs: ids, CreationDate: ms(m.CreatedAt), LastModified: ms(m.UpdatedAt),
	}
}
