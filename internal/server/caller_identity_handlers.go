package server

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// callerIdentity describes the calling token; every authenticated token may
// ask. Workspaces are those the token can reach now.
func (s *Server) callerIdentity(cl *call, _ noBody) (api.CallerIdentity, error) {
	c := cl.c
	out := api.CallerIdentity{
		TokenID: c.token.ID, TokenName: c.token.Name, ServiceToken: c.token.Service,
		OrganizationID: s.orgID, MemberID: c.member.ID, MemberEmail: c.member.Email, MemberRole: c.member.Role,
		EffectivePermissions: c.effectivePermissions(s.cat), AllWorkspaces: c.token.AllWorkspaces,
		WorkspaceIDs: []string{},
	}
	if c.token.ExpiresAt != nil {
		out.ExpirationDate = ms(*c.token.ExpiresAt)
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return out, err
	}
	for _, w := range workspaces {
		if c.reaches(w) {
			out.WorkspaceIDs = append(out.WorkspaceIDs, w.ID)
		}
	}
	return out, nil
}
