package authz

import (
	"context"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// CheckQuota checks the quotas q a new token of member memberID would count
// against, before anything is written (the store enforces them again when
// it creates the token). replaced, when not nil, is a token the new one
// replaces (a dry run that names it): it is deleted before the new one is
// created, so it is not counted. A refusal is a *store.QuotaError.
func (r *Rules) CheckQuota(ctx context.Context, q store.Quota, memberID string, replaced *store.Token) error {
	if q.PerMember > 0 {
		_, n, err := r.Store.ListTokens(ctx, store.TokenFilter{OrgID: r.OrgID, MemberID: memberID, Limit: 1})
		if err != nil {
			return err
		}
		if replaced != nil && replaced.MemberID == memberID {
			n--
		}
		if n >= q.PerMember {
			return &store.QuotaError{Scope: "member", Limit: q.PerMember}
		}
	}
	if q.PerOrg > 0 {
		_, n, err := r.Store.ListTokens(ctx, store.TokenFilter{OrgID: r.OrgID, Limit: 1})
		if err != nil {
			return err
		}
		if replaced != nil {
			n--
		}
		if n >= q.PerOrg {
			return &store.QuotaError{Scope: "organization", Limit: q.PerOrg}
		}
	}
	return nil
}
