package authz

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Store is what the rules read from the store.
type Store interface {
	GetCustomRole(ctx context.Context, orgID, keyOrID string) (store.CustomRole, error)
	GetWorkspace(ctx context.Context, orgID, id string) (store.Workspace, error)
	ListTokens(ctx context.Context, f store.TokenFilter) (items []store.Token, total int, err error)
}

// Rules decides what callers of one organisation may do, with the
// permission catalogue in force.
type Rules struct {
	Cat   *catalogue.Catalogue
	Store Store
	OrgID string
}

// SubjectFor bounds every token, personal or service, by its owner's
// current role: a demotion narrows all of the member's tokens at once.
func (r *Rules) SubjectFor(t store.Token, m store.Member, grant policy.Policy) policy.Subject {
	return policy.Subject{grant, policy.AllowAll(r.Cat.ForRole(m.Role)), scopePolicy(t)}
}

// Caller resolves what a stored token may do now, owned by m (as they are
// now) and presented with the secret whose digest is digest.
func (r *Rules) Caller(ctx context.Context, t store.Token, m store.Member, digest []byte) (*Caller, error) {
	grant, err := r.GrantPolicy(ctx, t, m.Role)
	if err != nil {
		return nil, err
	}
	return &Caller{Token: t, Member: m, Digest: digest, Subject: r.SubjectFor(t, m, grant)}, nil
}

// GrantPolicy is what a token's grant allows, ignoring scope; memberRole is
// the role of the token's owner, which bounds a custom role's base
// permissions.
func (r *Rules) GrantPolicy(ctx context.Context, t store.Token, memberRole string) (policy.Policy, error) {
	switch {
	case t.Role != "":
		return policy.AllowAll(r.Cat.ForRole(t.Role)), nil
	case len(t.Permissions) > 0:
		return policy.AllowAll(t.Permissions), nil
	case len(t.Access) > 0:
		return policy.AllowAll(r.Cat.AccessGrants(t.Access)), nil
	case len(t.InlineRole) > 0:
		return ToPolicy(t.InlineRole), nil
	case len(t.CustomRoleIDs) > 0:
		var p policy.Policy
		for _, id := range t.CustomRoleIDs {
			cr, err := r.Store.GetCustomRole(ctx, t.OrgID, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			p = append(p, r.RolePolicy(cr, memberRole)...)
		}
		return p, nil
	}
	return policy.Policy{}, nil
}

// RolePolicy is what a custom role allows a holder whose member role is
// memberRole: its statements, its permissions and, when its base
// permissions are reader, every read permission that member role holds.
func (r *Rules) RolePolicy(cr store.CustomRole, memberRole string) policy.Policy {
	p := ToPolicy(cr.Policy)
	if len(cr.Permissions) > 0 {
		p = append(p, policy.AllowAll(cr.Permissions)...)
	}
	if granted := r.Cat.AccessGrants(cr.Access); len(granted) > 0 {
		p = append(p, policy.AllowAll(granted)...)
	}
	if cr.BasePermissions == api.BasePermissionsReader {
		held := r.Cat.ForRole(memberRole)
		var reads []string
		for _, n := range r.Cat.ReadPermissions() {
			if slices.Contains(held, n) {
				reads = append(reads, n)
			}
		}
		if len(reads) > 0 {
			p = append(p, policy.AllowAll(reads)...)
		}
	}
	return p
}

// ToPolicy copies stored statements into a policy of their own, which the
// caller may extend without touching the record.
func ToPolicy(stmts []api.Statement) policy.Policy {
	return policy.Policy(slices.Clone(stmts))
}

// scopePolicy allows everything on "org" and on the workspaces in scope.
func scopePolicy(t store.Token) policy.Policy {
	p := policy.Policy{{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: []string{policy.ResourceOrg}}}
	if t.AllWorkspaces {
		p = append(p, api.Statement{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: []string{"workspace/*"}})
		if len(t.ExcludedWorkspaceIDs) > 0 {
			p = append(p, api.Statement{Effect: api.EffectDeny, Actions: []string{"*"}, Resources: workspaceResources(t.ExcludedWorkspaceIDs)})
		}
	} else if len(t.WorkspaceIDs) > 0 {
		p = append(p, api.Statement{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: workspaceResources(t.WorkspaceIDs)})
	}
	return p
}

func workspaceResources(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = policy.Workspace(id)
	}
	return out
}

// FutureWorkspaces lists resources standing for workspaces created later,
// which an all-workspaces token will reach too. Their ids end in "?", which
// no statement can name, so only "*", "workspace/*", notResources and the
// id prefixes they are built from match them: one stand-in for a workspace
// matching no prefix, and one per prefix ("workspace/ab*") in any of the
// policies, for a future workspace whose id starts with it. Together they
// meet every combination of prefixes a future id can match.
func FutureWorkspaces(subjects ...policy.Subject) []string {
	out := []string{"workspace/?"}
	add := func(specs []string) {
		for _, sp := range specs {
			if pat, ok := strings.CutPrefix(sp, "workspace/"); ok && len(pat) > 1 && strings.HasSuffix(pat, "*") {
				if r := "workspace/" + strings.TrimSuffix(pat, "*") + "?"; !slices.Contains(out, r) {
					out = append(out, r)
				}
			}
		}
	}
	for _, sub := range subjects {
		for _, p := range sub {
			for _, st := range p {
				add(st.Resources)
				add(st.NotResources)
			}
		}
	}
	return out
}
