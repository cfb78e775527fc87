package authz

import (
	"slices"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Caller is an authenticated token with everything needed to authorize
// what it asks: the token, its owner as they are now, the digest of the
// secret presented and the subject built by SubjectFor.
type Caller struct {
	Token   store.Token
	Member  store.Member
	Digest  []byte
	Subject policy.Subject
}

// IsAdmin reports whether the caller's owner is an admin or an owner.
func (c *Caller) IsAdmin() bool { return IsAdmin(c.Member) }

// OldSecret reports a request made with the secret a reset replaced, in its
// grace period. It keeps working for what its token may do, so automation
// survives a rotation, but a stolen old secret must not take the token over
// (reset it and lock the new secret out, change or delete it) nor mint or
// reset any token that would outlive the grace period.
func (c *Caller) OldSecret() bool { return !secret.Equal(c.Token.Digest, c.Digest) }

// RefuseOldSecret is the refusal for what OldSecret forbids.
func (c *Caller) RefuseOldSecret(what string) error {
	if !c.OldSecret() {
		return nil
	}
	return deny(OldSecret, nil, "this request uses the old secret of an access token that was reset; an old secret in its grace period cannot %s: use the new secret", what)
}

// Require checks one action on "org".
func (c *Caller) Require(action string) error {
	return c.RequireOn(action, policy.ResourceOrg)
}

// RequireOn checks one action on a resource.
func (c *Caller) RequireOn(action, resource string) error {
	if c.Subject.Allows(action, resource) {
		return nil
	}
	return deny(LacksPermission, []string{action}, "the access token lacks permission %s on %s", action, resource)
}

// RequireWorkspace checks an action on a workspace, including the rule that
// a reader's or writer's token reaches only workspaces its owner belongs to.
func (c *Caller) RequireWorkspace(action string, w store.Workspace) error {
	if err := c.RequireOn(action, policy.Workspace(w.ID)); err != nil {
		return err
	}
	if !c.IsAdmin() && !IsMember(w, c.Member.ID) {
		return deny(NotWorkspaceMember, []string{action}, "member %s does not belong to workspace %s", c.Member.ID, w.ID)
	}
	return nil
}

// EffectivePermissions lists the catalogue permissions the caller holds on "org".
func (c *Caller) EffectivePermissions(cat *catalogue.Catalogue) []string {
	out := []string{}
	for _, p := range cat.All() {
		if c.Subject.Allows(p.Name, policy.ResourceOrg) {
			out = append(out, p.Name)
		}
	}
	return out
}

// Reaches reports whether the caller's token can act in w at all.
func (c *Caller) Reaches(w store.Workspace) bool {
	return InScope(c.Token, w.ID) && (c.IsAdmin() || IsMember(w, c.Member.ID))
}

// RolesAbove lists the member roles ranked above the caller's.
func (c *Caller) RolesAbove() []string { return RolesAbove(c.Member.Role) }

// InScope reports whether a token's workspace scope covers workspace wsID.
func InScope(t store.Token, wsID string) bool {
	if t.AllWorkspaces {
		return !slices.Contains(t.ExcludedWorkspaceIDs, wsID)
	}
	return slices.Contains(t.WorkspaceIDs, wsID)
}

// IsMember reports whether memberID owns or belongs to w.
func IsMember(w store.Workspace, memberID string) bool {
	return w.OwnerID == memberID || slices.Contains(w.MemberIDs, memberID)
}

// holder is what the caller holds for the no-escalation check: their
// subject, and for a reader or writer only the workspaces they belong to
// (and future ones, which their tokens reach only once they belong to them).
func (c *Caller) holder(workspaces []store.Workspace, future []string) policy.Subject {
	if c.IsAdmin() {
		return c.Subject
	}
	res := append([]string{policy.ResourceOrg}, future...)
	for _, w := range workspaces {
		if IsMember(w, c.Member.ID) {
			res = append(res, policy.Workspace(w.ID))
		}
	}
	h := append(policy.Subject{}, c.Subject...)
	return append(h, policy.Policy{{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: res}})
}

// ManageTokensOf checks that the caller may reach the tokens of member
// memberID at all: their own need nothing more, another member's need
// ACCESS_TOKEN_MANAGE. Changing those tokens also needs MayActOnTokensOf.
func (c *Caller) ManageTokensOf(memberID string) error {
	if memberID == c.Member.ID {
		return nil
	}
	return c.Require(catalogue.AccessTokenManage)
}
