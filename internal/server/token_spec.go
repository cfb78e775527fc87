package server

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// tokenSpec is the mutable part of a token, in its JSON form: what a create
// sets and what a PATCH document addresses.
type tokenSpec struct {
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Role          string            `json:"role"`
	CustomRoleIDs []string          `json:"customRoleIds"`
	InlineRole    []api.Statement   `json:"inlineRole"`
	Permissions   []string          `json:"permissions"`
	Access        map[string]string `json:"access"`
	WorkspaceIDs  []string          `json:"workspaceIds"`
	AllWorkspaces bool              `json:"allWorkspaces"`
}

var tokenPatchRules = patchRules{
	mutable: fieldSet("name", "description", "role", "customRoleIds", "inlineRole", "permissions", "access", "workspaceIds", "allWorkspaces"),
	fixed: fieldSet("_id", "ownerId", "memberId", "_member", "creationDate", "lastModified", "token", "serviceToken",
		"defaultApiVersion", "lastUsed", "_links", "expirationDate", "expired"),
}

var grantFields = []string{"role", "customRoleIds", "inlineRole", "permissions", "access"}

func specOf(t store.Token) tokenSpec {
	return tokenSpec{
		Name: t.Name, Description: t.Description, Role: t.Role,
		CustomRoleIDs: nonNil(t.CustomRoleIDs), InlineRole: nonNil(t.InlineRole), Permissions: nonNil(t.Permissions),
		Access:       accessOf(t.Access),
		WorkspaceIDs: nonNil(t.WorkspaceIDs), AllWorkspaces: t.AllWorkspaces,
	}
}

func (sp *tokenSpec) grantSet() map[string]bool {
	return map[string]bool{
		"role": sp.Role != "", "customRoleIds": len(sp.CustomRoleIDs) > 0,
		"inlineRole": len(sp.InlineRole) > 0, "permissions": len(sp.Permissions) > 0,
		"access": len(sp.Access) > 0,
	}
}

func (sp *tokenSpec) clearGrant(field string) {
	switch field {
	case "role":
		sp.Role = ""
	case "customRoleIds":
		sp.CustomRoleIDs = nil
	case "inlineRole":
		sp.InlineRole = nil
	case "permissions":
		sp.Permissions = nil
	case "access":
		sp.Access = nil
	}
}

// applySpec validates sp and writes it into t, resolving custom role keys
// to ids.
func (s *Server) applySpec(cl *call, t *store.Token, sp tokenSpec, workspaces []store.Workspace) error {
	if err := validName("name", sp.Name, api.MaxTokenNameLength, true); err != nil {
		return err
	}
	if err := validDescription("description", sp.Description); err != nil {
		return err
	}
	if err := noSecretInPolicy("inlineRole", sp.InlineRole); err != nil {
		return err
	}
	if err := capLists(listCap{"customRoleIds", len(sp.CustomRoleIDs), maxCustomRoles},
		listCap{"permissions", len(sp.Permissions), maxListItems},
		listCap{"workspaceIds", len(sp.WorkspaceIDs), maxListItems}); err != nil {
		return err
	}
	count := 0
	for _, set := range sp.grantSet() {
		if set {
			count++
		}
	}
	if count != 1 {
		return invalid("role", "exactly one of role, customRoleIds, inlineRole, permissions and access is required, got %d", count)
	}
	t.Name, t.Description = sp.Name, sp.Description
	t.Role, t.CustomRoleIDs, t.InlineRole, t.Permissions, t.Access = "", nil, nil, nil, nil
	switch {
	case sp.Role != "":
		if !slices.Contains(api.TokenRoles(), sp.Role) {
			return invalid("role", "role must be one of %s, got %q", strings.Join(api.TokenRoles(), ", "), sp.Role)
		}
		t.Role = sp.Role
	case len(sp.CustomRoleIDs) > 0:
		for i, k := range sp.CustomRoleIDs {
			r, err := s.store.GetCustomRole(cl.ctx, s.orgID, k)
			if errors.Is(err, store.ErrNotFound) {
				return invalid(fmt.Sprintf("customRoleIds[%d]", i), "no custom role with key or id %q", k)
			} else if err != nil {
				return err
			}
			if !slices.Contains(t.CustomRoleIDs, r.ID) {
				t.CustomRoleIDs = append(t.CustomRoleIDs, r.ID)
			}
		}
	case len(sp.InlineRole) > 0:
		if err := policy.Validate("inlineRole", sp.InlineRole, s.cat); err != nil {
			return err
		}
		t.InlineRole = sp.InlineRole
	case len(sp.Access) > 0:
		access, err := s.checkAccess("access", sp.Access)
		if err != nil {
			return err
		}
		if len(s.cat.AccessGrants(access)) == 0 {
			return invalid("access", "access must set at least one object to %s or %s", catalogue.AccessReadOnly, catalogue.AccessReadWrite)
		}
		t.Access = access
	default:
		for i, p := range sp.Permissions {
			if err := s.knownPermission(fmt.Sprintf("permissions[%d]", i), p); err != nil {
				return err
			}
			if !slices.Contains(t.Permissions, p) {
				t.Permissions = append(t.Permissions, p)
			}
		}
	}
	if sp.AllWorkspaces && len(sp.WorkspaceIDs) > 0 {
		return invalid("allWorkspaces", "set either workspaceIds or allWorkspaces, not both")
	}
	if !sp.AllWorkspaces && len(sp.WorkspaceIDs) == 0 {
		return invalid("workspaceIds", "a token needs at least one workspace in workspaceIds, or allWorkspaces")
	}
	t.AllWorkspaces, t.WorkspaceIDs = sp.AllWorkspaces, nil
	for i, id := range sp.WorkspaceIDs {
		if _, ok := authz.FindWorkspace(workspaces, id); !ok {
			return invalid(fmt.Sprintf("workspaceIds[%d]", i), "no workspace with id %q", id)
		}
		if !slices.Contains(t.WorkspaceIDs, id) {
			t.WorkspaceIDs = append(t.WorkspaceIDs, id)
		}
	}
	if t.AllWorkspaces {
		t.ExcludedWorkspaceIDs = nil
	}
	return nil
}

// settle resolves a patched spec whose patch set a second grant or scope
// form: setting one form replaces the other, so clients need not remove the
// old form in the same patch. touched lists the fields the patch set.
func (sp *tokenSpec) settle(touched map[string]bool) {
	set := sp.grantSet()
	n := 0
	for _, f := range grantFields {
		if set[f] {
			n++
		}
	}
	if n > 1 {
		for _, f := range grantFields {
			if set[f] && !touched[f] {
				sp.clearGrant(f)
			}
		}
	}
	if sp.AllWorkspaces && len(sp.WorkspaceIDs) > 0 {
		switch {
		case touched["workspaceIds"] && !touched["allWorkspaces"]:
			sp.AllWorkspaces = false
		case touched["allWorkspaces"] && !touched["workspaceIds"]:
			sp.WorkspaceIDs = nil
		}
	}
}
