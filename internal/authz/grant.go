package authz

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// FindWorkspace is the workspace of ws with the given id; ok is false when
// there is none.
func FindWorkspace(ws []store.Workspace, id string) (store.Workspace, bool) {
	for _, w := range ws {
		if w.ID == id {
			return w, true
		}
	}
	return store.Workspace{}, false
}

// outsideMembership is the index of the first of ids naming a workspace
// memberID neither owns nor belongs to, or -1 when there is none.
func outsideMembership(workspaces []store.Workspace, ids []string, memberID string) int {
	for i, id := range ids {
		if w, _ := FindWorkspace(workspaces, id); !IsMember(w, memberID) {
			return i
		}
	}
	return -1
}

// CheckGrant enforces the member scope rule and no escalation: the token t,
// owned by owner, may grant nothing the caller c does not hold on any
// resource it will reach. workspaces are all the organisation's.
func (r *Rules) CheckGrant(ctx context.Context, c *Caller, t store.Token, owner store.Member, workspaces []store.Workspace) error {
	if !c.IsAdmin() && !t.AllWorkspaces {
		if i := outsideMembership(workspaces, t.WorkspaceIDs, c.Member.ID); i >= 0 {
			d := deny(ScopeOutsideMembership, nil, "members with role %s may scope tokens only to workspaces they belong to; not a member of %s", c.Member.Role, t.WorkspaceIDs[i])
			d.Field = fmt.Sprintf("workspaceIds[%d]", i)
			return d
		}
	}
	if err := r.AccessCeiling("access", t.Access, owner.Role); err != nil {
		return err
	}
	grant, err := r.GrantPolicy(ctx, t, owner.Role)
	if err != nil {
		return err
	}
	resources := []string{policy.ResourceOrg}
	for _, w := range workspaces {
		if InScope(t, w.ID) && (IsAdmin(owner) || IsMember(w, owner.ID)) {
			resources = append(resources, policy.Workspace(w.ID))
		}
	}
	if err := r.ownerRules(c, t, owner, workspaces, grant, resources); err != nil {
		return err
	}
	return r.noEscalation(c, grant, resources, workspaces, t.AllWorkspaces)
}

// ownerRules applies the rules of a token's owner to a token t the caller
// manages for owner, another member: an owner or admin holding
// ACCESS_TOKEN_MANAGE creates and changes tokens owned by other members,
// and every rule that would apply if the member made the token themselves
// applies too, on top of the caller's own: their role as the ceiling of the
// grant and, below admin, only workspaces they belong to. (Their quota is
// CheckQuota's.)
func (r *Rules) ownerRules(c *Caller, t store.Token, owner store.Member, workspaces []store.Workspace, grant policy.Policy, resources []string) error {
	if owner.ID == c.Member.ID {
		return nil
	}
	if !IsAdmin(owner) && !t.AllWorkspaces {
		if i := outsideMembership(workspaces, t.WorkspaceIDs, owner.ID); i >= 0 {
			d := deny(OwnerScopeOutsideMembership, nil, "member %s has role %s, so their tokens may be scoped only to workspaces they belong to; not a member of %s",
				owner.ID, owner.Role, t.WorkspaceIDs[i])
			d.Field = fmt.Sprintf("workspaceIds[%d]", i)
			return d
		}
	}
	var future []string
	if t.AllWorkspaces {
		future = FutureWorkspaces(policy.Subject{grant})
		resources = append(resources[:len(resources):len(resources)], future...)
	}
	ceiling := policy.Subject{policy.AllowAll(r.Cat.ForRole(owner.Role))}
	if missing := policy.Missing(policy.Subject{grant}, ceiling, r.Cat.Names(), resources); len(missing) > 0 {
		return deny(OwnerRoleCeiling, missing, "the grant includes permissions that member %s's role %s does not hold: %s",
			owner.ID, owner.Role, strings.Join(missing, ", "))
	}
	return nil
}

// noEscalation refuses a grant allowing anything on resources (and, when it
// will reach workspaces created later, on those) that the caller lacks.
func (r *Rules) noEscalation(c *Caller, grant policy.Policy, resources []string, workspaces []store.Workspace, future bool) error {
	var fw []string
	if future {
		fw = FutureWorkspaces(policy.Subject{grant}, c.Subject)
		resources = append(resources, fw...)
	}
	missing := policy.Missing(policy.Subject{grant}, c.holder(workspaces, fw), r.Cat.Names(), resources)
	if len(missing) > 0 {
		return deny(Escalation, missing, "the grant includes permissions the caller does not hold: %s", strings.Join(missing, ", "))
	}
	return nil
}

// CheckRole is no escalation for a custom role cr the caller c creates or
// changes: it may grant nothing c lacks, on the organisation, any current
// workspace (workspaces are all the organisation's) or a future one.
func (r *Rules) CheckRole(c *Caller, cr store.CustomRole, workspaces []store.Workspace) error {
	resources := []string{policy.ResourceOrg}
	for _, w := range workspaces {
		resources = append(resources, policy.Workspace(w.ID))
	}
	// Access levels are bounded by the caller's member role, naming the
	// object; holders' member roles bound them again when a token is used.
	if err := r.AccessCeiling("access", cr.Access, c.Member.Role); err != nil {
		return err
	}
	// The base permissions are checked as the caller would hold them: every
	// holder's member role bounds them anyway.
	return r.noEscalation(c, r.RolePolicy(cr, c.Member.Role), resources, workspaces, true)
}

// AccessCeiling refuses an access level that memberRole may not hold,
// naming the object and the widest level the role may hold on it: a
// grant is always bounded by its holder's role, and saying so at once is
// clearer than a token that silently does less than it reads.
func (r *Rules) AccessCeiling(field string, access map[string]string, memberRole string) error {
	err := r.Cat.AccessCeiling(field, access, memberRole)
	var ve *catalogue.ValidationError
	if errors.As(err, &ve) {
		d := deny(AccessAboveRole, nil, "%s: %s", ve.Field, ve.Message)
		d.Field = ve.Field
		return d
	}
	return err
}
