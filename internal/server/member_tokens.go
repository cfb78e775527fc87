package server

import (
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Tokens of another member. An owner or admin holding ACCESS_TOKEN_MANAGE
// creates and changes tokens owned by other members (memberId); every rule
// that would apply if the member made the token themselves applies too, on
// top of the caller's own: their quota, their role as the ceiling of the
// grant, and, below admin, only workspaces they belong to.

// checkOwnerRules applies the owner's own rules to a token t the caller
// manages for owner, another member.
func (s *Server) checkOwnerRules(cl *call, t store.Token, owner store.Member, workspaces []store.Workspace, grant policy.Policy, resources []string) error {
	if owner.ID == cl.c.member.ID {
		return nil
	}
	if !isAdmin(owner) && !t.AllWorkspaces {
		for i, id := range t.WorkspaceIDs {
			w, _ := findWorkspace(workspaces, id)
			if !isMember(w, owner.ID) {
				e := denied(nil, "member %s has role %s, so their tokens may be scoped only to workspaces they belong to; not a member of %s",
					owner.ID, owner.Role, id)
				e.Field = fmt.Sprintf("workspaceIds[%d]", i)
				return e
			}
		}
	}
	var future []string
	if t.AllWorkspaces {
		future = futureWorkspaces(policy.Subject{grant})
		resources = append(resources[:len(resources):len(resources)], future...)
	}
	ceiling := policy.Subject{policy.AllowAll(s.cat.ForRole(owner.Role))}
	if missing := policy.Missing(policy.Subject{grant}, ceiling, s.cat.Names(), resources); len(missing) > 0 {
		return denied(missing, "the grant includes permissions that member %s's role %s does not hold: %s",
			owner.ID, owner.Role, strings.Join(missing, ", "))
	}
	return nil
}

// membersWithEmail keeps the members whose email is email, compared as the
// store compares emails, without regard to case.
func membersWithEmail(all []store.Member, email string) []store.Member {
	var out []store.Member
	for _, m := range all {
		if strings.EqualFold(m.Email, email) {
			out = append(out, m)
		}
	}
	return out
}
