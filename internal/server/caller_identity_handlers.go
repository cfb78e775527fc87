package server

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// callerIdentity describes the calling token; every authenticated token may
// ask. Workspaces are those the token can reach now.
func (s *Server) callerIdentity(cl *call, _ noBody) (api.CallerIdentity, error) {
	c := cl.c
	out := api.CallerIdentity{
		TokenID: c.Token.ID, TokenName: c.Token.Name, ServiceToken: c.Token.Service,
		OrganizationID: s.orgID, MemberID: c.Member.ID, MemberEmail: c.Member.Email, MemberRole: c.Member.Role,
		EffectivePermissions: c.EffectivePermissions(s.cat), AllWorkspaces: c.Token.AllWorkspaces,
		WorkspaceIDs: []string{},
	}
	if c.Token.ExpiresAt != nil {
		out.ExpirationDate = ms(*c.Token.ExpiresAt)
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return out, err
	}
	for _, w := range workspaces {
		if c.Reaches(w) {
			out.WorkspaceIDs = append(out.WorkspaceIDs, w.ID)
		}
	}
	return out, nil
}
