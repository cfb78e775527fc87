package server

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// audit records a write and invalidates the authentication cache, since any
// write may change what some token can do. Detail never holds a secret.
func (s *Server) audit(cl *call, action, target, detail string) {
	s.auth.invalidate()
	s.metrics.audited(action)
	e := store.AuditEvent{
		ID: newID(), OrgID: s.orgID, Time: cl.now, Action: action,
		MemberID: cl.c.Member.ID, TokenID: cl.c.Token.ID, Target: target, Detail: detail,
	}
	if err := s.store.AppendAudit(cl.ctx, e); err != nil {
		s.log.Error("append audit record", "request_id", info(cl.ctx).id, "action", action, "error", err.Error())
	}
}

func (s *Server) listAudit(cl *call, _ noBody) (api.List[api.AuditEntry], error) {
	if err := cl.c.Require(catalogue.AuditLogRead); err != nil {
		return api.List[api.AuditEntry]{}, err
	}
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.AuditEntry]{}, err
	}
	events, total, err := s.store.ListAudit(cl.ctx, s.orgID, p.limit, p.offset)
	if err != nil {
		return api.List[api.AuditEntry]{}, err
	}
	items := make([]api.AuditEntry, 0, len(events))
	for _, e := range events {
		items = append(items, api.AuditEntry{ID: e.ID, Date: ms(e.Time), Action: e.Action, MemberID: e.MemberID, TokenID: e.TokenID, Target: e.Target, Detail: e.Detail})
	}
	return listOf(cl.r, items, total, p), nil
}
