package server

import (
	"errors"
	"fmt"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// deleteMemberTokens is "Remove All": the tokens of one member, atomically,
// optionally only service or personal ones (serviceToken) and only those
// reaching a workspace (workspaceId). It answers how many went, so that
// offboarding and incident tooling can report it.
func (s *Server) deleteMemberTokens(cl *call, _ noBody) (api.TokenBulkDeleteResult, error) {
	memberID, err := queryText(cl, "memberId")
	if err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	if memberID == "" {
		return api.TokenBulkDeleteResult{}, invalid("memberId", "memberId is required to delete tokens in bulk")
	}
	service, err := queryBool(cl, "serviceToken")
	if err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	workspaceID, err := queryText(cl, "workspaceId")
	if err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	if err := cl.c.Require(catalogue.AccessTokenWrite); err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	if err := cl.c.ManageTokensOf(memberID); err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	m, err := s.store.GetMember(cl.ctx, s.orgID, memberID)
	if errors.Is(err, store.ErrNotFound) {
		return api.TokenBulkDeleteResult{}, notFound("member %q not found", memberID)
	} else if err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	if err := cl.c.MayActOnTokensOf(m); err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	if memberID == cl.c.Token.MemberID {
		if err := cl.c.RefuseOldSecret("delete its own token"); err != nil {
			return api.TokenBulkDeleteResult{}, err
		}
	}
	if workspaceID != "" {
		if _, err := s.store.GetWorkspace(cl.ctx, s.orgID, workspaceID); errors.Is(err, store.ErrNotFound) {
			return api.TokenBulkDeleteResult{}, invalid("workspaceId", "no workspace with id %q", workspaceID)
		} else if err != nil {
			return api.TokenBulkDeleteResult{}, err
		}
	}
	n, err := s.store.DeleteMemberTokensMatching(cl.ctx, s.orgID, memberID, func(t store.Token) bool {
		return (service == nil || t.Service == *service) && (workspaceID == "" || authz.InScope(t, workspaceID))
	})
	if err != nil {
		return api.TokenBulkDeleteResult{}, err
	}
	s.auth.invalidate()
	s.metrics.tokensDeleted(n)
	detail := fmt.Sprintf("count=%d", n)
	if service != nil {
		detail += fmt.Sprintf(" serviceToken=%t", *service)
	}
	if workspaceID != "" {
		detail += " workspace=" + workspaceID
	}
	s.audit(cl, "token.delete_all", "member/"+memberID, detail)
	return api.TokenBulkDeleteResult{MemberID: memberID, DeletedCount: n}, nil
}
