package server

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// loadToken finds a token and checks action on it; other members' tokens
// additionally need ACCESS_TOKEN_MANAGE.
func (s *Server) loadToken(cl *call, id, action string) (store.Token, store.Member, error) {
	if err := cl.c.Require(action); err != nil {
		return store.Token{}, store.Member{}, err
	}
	t, err := s.store.GetToken(cl.ctx, s.orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, store.Member{}, notFound("access token %q not found", id)
	} else if err != nil {
		return t, store.Member{}, err
	}
	if err := cl.c.ManageTokensOf(t.MemberID); err != nil {
		return t, store.Member{}, err
	}
	if t.MemberID == cl.c.Member.ID {
		return t, cl.c.Member, nil
	}
	m, err := s.store.GetMember(cl.ctx, s.orgID, t.MemberID)
	if err != nil {
		return t, m, err
	}
	if action != catalogue.AccessTokenRead {
		if err := cl.c.MayActOnTokensOf(m); err != nil {
			return t, m, err
		}
	}
	return t, m, nil
}

// expiryOf is a requested expiration date in Unix milliseconds, 0 for none.
func expiryOf(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	exp := fromMS(ms)
	return &exp
}

func kindOf(t store.Token) secret.Kind {
	if t.Service {
		return secret.KindService
	}
	return secret.KindPersonal
}

func (s *Server) createToken(cl *call, in api.TokenCreate) (api.Token, error) {
	if err := cl.c.Require(catalogue.AccessTokenWrite); err != nil {
		return api.Token{}, err
	}
	if err := cl.c.RefuseOldSecret("create access tokens"); err != nil {
		return api.Token{}, err
	}
	owner := cl.c.Member
	if in.MemberID != "" && in.MemberID != owner.ID {
		if err := cl.c.ManageTokensOf(in.MemberID); err != nil {
			return api.Token{}, err
		}
		m, err := s.store.GetMember(cl.ctx, s.orgID, in.MemberID)
		if errors.Is(err, store.ErrNotFound) {
			return api.Token{}, invalid("memberId", "no member with id %q", in.MemberID)
		} else if err != nil {
			return api.Token{}, err
		}
		if err := cl.c.MayActOnTokensOf(m); err != nil {
			return api.Token{}, err
		}
		owner = m
	}
	if in.DefaultAPIVersion < 0 {
		return api.Token{}, invalid("defaultApiVersion", "defaultApiVersion must be a positive integer")
	}
	t := store.Token{
		ID: newID(), OrgID: s.orgID, MemberID: owner.ID, Service: in.ServiceToken,
		DefaultAPIVersion: in.DefaultAPIVersion, CreatedAt: cl.now, UpdatedAt: cl.now,
	}
	if t.DefaultAPIVersion == 0 {
		t.DefaultAPIVersion = DefaultAPIVersion
	}
	sp := tokenSpec{
		Name: in.Name, Description: in.Description, Role: in.Role, CustomRoleIDs: in.CustomRoleIDs,
		InlineRole: in.InlineRole, Permissions: in.Permissions, Access: in.Access, WorkspaceIDs: in.WorkspaceIDs, AllWorkspaces: in.AllWorkspaces,
	}
	if !sp.AllWorkspaces && len(sp.WorkspaceIDs) == 0 {
		sp.AllWorkspaces = true
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Token{}, err
	}
	if err := s.applySpec(cl, &t, sp, workspaces); err != nil {
		return api.Token{}, err
	}
	if t.ExpiresAt, err = s.expiry.Check(cl.now, expiryOf(in.ExpirationDate)); err != nil {
		return api.Token{}, err
	}
	if err := s.rules.CheckGrant(cl.ctx, cl.c, t, owner, workspaces); err != nil {
		return api.Token{}, err
	}
	replaced, err := s.replacedToken(cl)
	if err != nil {
		return api.Token{}, err
	}
	sec, err := s.issueSecret("secret", in.Secret, kindOf(t))
	if err != nil {
		return api.Token{}, err
	}
	if cl.dryRun {
		if err := s.rules.CheckQuota(cl.ctx, s.cfg.Quota, owner.ID, replaced); err != nil {
			return api.Token{}, err
		}
		t.ID = ""
		return s.apiToken(t, owner, "", cl.now), nil
	}
	t.Digest, t.LastFour = sec.digest, sec.lastFour
	if err := s.store.CreateToken(cl.ctx, t, s.cfg.Quota); err != nil {
		return api.Token{}, sec.stored("secret", err)
	}
	s.audit(cl, "token.create", "token/"+t.ID, fmt.Sprintf("name=%q member=%s service=%t", t.Name, t.MemberID, t.Service)+
		notEnforcedDetail("inlineRole", t.InlineRole)+sec.auditNote())
	cl.secret = sec.shown != ""
	return s.apiToken(t, owner, sec.shown, cl.now), nil
}

// replacedToken reads ?replaces=<token id> of a token create: the token the
// created one would replace (Terraform's destroy-then-create), so that a dry
// run counts the two against the quotas once. It is accepted only with
// ?dryRun=true, changes nothing but that count, and must name a token the
// caller could delete.
func (s *Server) replacedToken(cl *call) (*store.Token, error) {
	id, err := queryText(cl, api.QueryReplaces)
	if id == "" {
		return nil, err
	}
	if !cl.dryRun {
		return nil, invalid(api.QueryReplaces, "%s is accepted only with dryRun=true: a create never deletes the token it replaces", api.QueryReplaces)
	}
	t, _, err := s.loadToken(cl, id, catalogue.AccessTokenWrite)
	if err != nil {
		if e, ok := domainError(err); ok && e.Field == "" {
			e.Field = api.QueryReplaces
			e.Detail = api.QueryReplaces + ": " + e.Detail
			return nil, e
		}
		return nil, err
	}
	return &t, nil
}

func (s *Server) getToken(cl *call, _ noBody) (api.Token, error) {
	t, m, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenRead)
	if err != nil {
		return api.Token{}, err
	}
	return s.apiToken(t, m, "", cl.now), nil
}

func (s *Server) listTokens(cl *call, _ noBody) (api.List[api.Token], error) {
	if err := cl.c.Require(catalogue.AccessTokenRead); err != nil {
		return api.List[api.Token]{}, err
	}
	showAll, err := queryBool(cl, "showAll")
	if err != nil {
		return api.List[api.Token]{}, err
	}
	f := store.TokenFilter{OrgID: s.orgID, MemberID: cl.c.Member.ID}
	if showAll != nil && *showAll {
		if err := cl.c.Require(catalogue.AccessTokenManage); err != nil {
			return api.List[api.Token]{}, err
		}
		f.MemberID = ""
	}
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.Token]{}, err
	}
	f.Limit, f.Offset = p.limit, p.offset
	if f.UnusedSince, err = s.unusedSince(cl); err != nil {
		return api.List[api.Token]{}, err
	}
	toks, total, err := s.store.ListTokens(cl.ctx, f)
	if err != nil {
		return api.List[api.Token]{}, err
	}
	members := map[string]store.Member{cl.c.Member.ID: cl.c.Member}
	items := make([]api.Token, 0, len(toks))
	for _, t := range toks {
		m, ok := members[t.MemberID]
		if !ok {
			if m, err = s.store.GetMember(cl.ctx, s.orgID, t.MemberID); err != nil {
				return api.List[api.Token]{}, err
			}
			members[t.MemberID] = m
		}
		items = append(items, s.apiToken(t, m, "", cl.now))
	}
	return listOf(cl.r, items, total, p), nil
}

func (s *Server) patchToken(cl *call, pb patchBody) (api.Token, error) {
	t, owner, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenWrite)
	if err != nil {
		return api.Token{}, err
	}
	if t.ID == cl.c.Token.ID {
		if err := cl.c.RefuseOldSecret("change its own token"); err != nil {
			return api.Token{}, err
		}
	}
	var next tokenSpec
	touched, err := applyPatch(specOf(t), pb.Ops, tokenPatchRules, &next)
	if err != nil {
		return api.Token{}, err
	}
	next.settle(touched)
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Token{}, err
	}
	if err := s.applySpec(cl, &t, next, workspaces); err != nil {
		return api.Token{}, err
	}
	if err := s.rules.CheckGrant(cl.ctx, cl.c, t, owner, workspaces); err != nil {
		return api.Token{}, err
	}
	t.UpdatedAt = cl.now
	if !cl.dryRun {
		if err := s.store.UpdateToken(cl.ctx, t); err != nil {
			return api.Token{}, err
		}
		s.audit(cl, "token.update", "token/"+t.ID, "fields="+strings.Join(slices.Sorted(maps.Keys(touched)), ",")+
			notEnforcedDetail("inlineRole", t.InlineRole))
	}
	return s.apiToken(t, owner, "", cl.now), nil
}

// resetToken issues a new secret for the same token. The old secret keeps
// working until expiry (query parameter or body, Unix ms), or stops now.
func (s *Server) resetToken(cl *call, in api.TokenReset) (api.Token, error) {
	t, owner, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenWrite)
	if err != nil {
		return api.Token{}, err
	}
	if err := cl.c.RefuseOldSecret("reset access tokens"); err != nil {
		return api.Token{}, err
	}
	expiry := in.Expiry
	if n, ok, err := queryInt(cl, "expiry"); err != nil {
		return api.Token{}, err
	} else if ok {
		if in.Expiry != 0 && in.Expiry != n {
			return api.Token{}, invalid("expiry", "expiry is given twice with different values (query parameter and body); send it once")
		}
		expiry = n
	}
	if expiry < 0 {
		return api.Token{}, invalid("expiry", "expiry must be Unix milliseconds")
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Token{}, err
	}
	if err := s.rules.CheckGrant(cl.ctx, cl.c, t, owner, workspaces); err != nil {
		return api.Token{}, err
	}
	t.PrevDigest, t.PrevExpiresAt = nil, nil
	if expiry > 0 {
		exp := fromMS(expiry)
		if !exp.After(cl.now) {
			return api.Token{}, invalid("expiry", "expiry must be in the future; omit it to stop the old secret at once")
		}
		t.PrevDigest, t.PrevExpiresAt = t.Digest, &exp
	}
	t.UpdatedAt = cl.now
	sec, err := s.issueSecret("secret", in.Secret, kindOf(t))
	if err != nil {
		return api.Token{}, err
	}
	if cl.dryRun {
		return s.apiToken(t, owner, "", cl.now), nil
	}
	t.Digest, t.LastFour = sec.digest, sec.lastFour
	if err := s.store.UpdateToken(cl.ctx, t); err != nil {
		return api.Token{}, sec.stored("secret", err)
	}
	s.audit(cl, "token.reset", "token/"+t.ID, fmt.Sprintf("oldSecretUntil=%d", expiry)+sec.auditNote())
	cl.secret = sec.shown != ""
	return s.apiToken(t, owner, sec.shown, cl.now), nil
}

func (s *Server) deleteToken(cl *call, _ noBody) (noContent, error) {
	t, _, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenWrite)
	if err != nil {
		return noContent{}, err
	}
	if t.ID == cl.c.Token.ID {
		if err := cl.c.RefuseOldSecret("delete its own token"); err != nil {
			return noContent{}, err
		}
	}
	if err := s.store.DeleteToken(cl.ctx, s.orgID, t.ID); err != nil {
		return noContent{}, err
	}
	s.lastUsed.forget(t.ID)
	s.audit(cl, "token.delete", "token/"+t.ID, fmt.Sprintf("name=%q", t.Name))
	return noContent{}, nil
}
