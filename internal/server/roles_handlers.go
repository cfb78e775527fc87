package server

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

var roleKeyPattern = regexp.MustCompile(api.CustomRoleKeyPattern)

// roleSpec is the mutable part of a custom role in its JSON form.
// ResourceCategory belongs to the wider service: accepted and ignored. It is
// always in the JSON form, so that its clients may "replace" it in a patch.
type roleSpec struct {
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	Policy           []api.Statement   `json:"policy"`
	BasePermissions  string            `json:"basePermissions"`
	Permissions      []string          `json:"permissions"`
	Access           map[string]string `json:"access"`
	ResourceCategory string            `json:"resourceCategory"`
}

var rolePatchRules = patchRules{
	mutable: fieldSet("name", "description", "policy", "basePermissions", "permissions", "access", "resourceCategory"),
	fixed:   fieldSet("_id", "key", "_links", "creationDate", "lastModified", "tokenCount"),
}

func (s *Server) applyRoleSpec(r *store.CustomRole, sp roleSpec) error {
	if err := validName("name", sp.Name, api.MaxCustomRoleNameLength, true); err != nil {
		return err
	}
	if err := validDescription("description", sp.Description); err != nil {
		return err
	}
	if err := capLists(listCap{"permissions", len(sp.Permissions), maxListItems}); err != nil {
		return err
	}
	if sp.BasePermissions == "" {
		sp.BasePermissions = api.BasePermissionsNoAccess
	}
	if !slices.Contains(api.BasePermissions(), sp.BasePermissions) {
		return invalid("basePermissions", "basePermissions must be one of %s, got %q", strings.Join(api.BasePermissions(), ", "), sp.BasePermissions)
	}
	access, err := s.checkAccess("access", sp.Access)
	if err != nil {
		return err
	}
	if err := s.accessOverlap(access, sp.Permissions); err != nil {
		return err
	}
	if len(sp.Policy) == 0 && len(sp.Permissions) == 0 && len(s.cat.AccessGrants(access)) == 0 && sp.BasePermissions == api.BasePermissionsNoAccess {
		return invalid("policy", "a custom role needs at least one policy statement, permission or access level above none, or basePermissions reader")
	}
	if err := noSecretInPolicy("policy", sp.Policy); err != nil {
		return err
	}
	if err := policy.Validate("policy", sp.Policy, s.cat); err != nil {
		return err
	}
	r.Permissions = nil
	for i, p := range sp.Permissions {
		if err := s.knownPermission(fmt.Sprintf("permissions[%d]", i), p); err != nil {
			return err
		}
		if !slices.Contains(r.Permissions, p) {
			r.Permissions = append(r.Permissions, p)
		}
	}
	r.BasePermissions, r.Access = sp.BasePermissions, access
	r.Name, r.Description = sp.Name, sp.Description
	r.Policy = nonNil(sp.Policy)
	return nil
}

// roleNoEscalation: a custom role may grant nothing the caller lacks, on the
// organisation, any current workspace or a future one.
func (s *Server) roleNoEscalation(cl *call, r store.CustomRole) error {
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return err
	}
	return s.rules.CheckRole(cl.c, r, workspaces)
}

func roleKeyConflict(key string) *Error {
	return &Error{Code: api.CodeConflict, Field: "key", Detail: fmt.Sprintf("a custom role with key %q already exists", key)}
}

func (s *Server) loadRole(cl *call, action string) (store.CustomRole, error) {
	if err := cl.c.Require(action); err != nil {
		return store.CustomRole{}, err
	}
	keyOrID := cl.r.PathValue("keyOrId")
	r, err := s.store.GetCustomRole(cl.ctx, s.orgID, keyOrID)
	if errors.Is(err, store.ErrNotFound) {
		return r, notFound("custom role %q not found", keyOrID)
	}
	return r, err
}

func (s *Server) roleOut(cl *call, r store.CustomRole) (api.CustomRole, error) {
	n := 0
	if r.ID != "" {
		var err error
		if n, err = s.store.CountTokensUsingRole(cl.ctx, s.orgID, r.ID); err != nil {
			return api.CustomRole{}, err
		}
	}
	return apiRole(r, n), nil
}

func (s *Server) listRoles(cl *call, _ noBody) (api.List[api.CustomRole], error) {
	if err := cl.c.Require(catalogue.CustomRoleRead); err != nil {
		return api.List[api.CustomRole]{}, err
	}
	p, err := pageOf(cl)
	if err != nil {
		return api.List[api.CustomRole]{}, err
	}
	all, err := s.store.ListCustomRoles(cl.ctx, s.orgID)
	if err != nil {
		return api.List[api.CustomRole]{}, err
	}
	items := []api.CustomRole{}
	for _, r := range slicePage(all, p) {
		out, err := s.roleOut(cl, r)
		if err != nil {
			return api.List[api.CustomRole]{}, err
		}
		items = append(items, out)
	}
	return listOf(cl.r, items, len(all), p), nil
}

func (s *Server) getRole(cl *call, _ noBody) (api.CustomRole, error) {
	r, err := s.loadRole(cl, catalogue.CustomRoleRead)
	if err != nil {
		return api.CustomRole{}, err
	}
	return s.roleOut(cl, r)
}

func (s *Server) createRole(cl *call, in api.CustomRoleCreate) (api.CustomRole, error) {
	if err := cl.c.Require(catalogue.CustomRoleWrite); err != nil {
		return api.CustomRole{}, err
	}
	if !roleKeyPattern.MatchString(in.Key) || len(in.Key) > api.MaxCustomRoleKeyLength {
		return api.CustomRole{}, invalid("key", "key must match %s (at most %d characters), got %q", roleKeyPattern, api.MaxCustomRoleKeyLength, in.Key)
	}
	if err := noSecret("key", in.Key); err != nil {
		return api.CustomRole{}, err
	}
	r := store.CustomRole{ID: newID(), OrgID: s.orgID, Key: in.Key, CreatedAt: cl.now, UpdatedAt: cl.now}
	if err := s.applyRoleSpec(&r, roleSpec{Name: in.Name, Description: in.Description, Policy: in.Policy, BasePermissions: in.BasePermissions, Permissions: in.Permissions, Access: in.Access}); err != nil {
		return api.CustomRole{}, err
	}
	if err := s.roleNoEscalation(cl, r); err != nil {
		return api.CustomRole{}, err
	}
	if _, err := s.store.GetCustomRole(cl.ctx, s.orgID, r.Key); err == nil {
		return api.CustomRole{}, roleKeyConflict(r.Key)
	} else if !errors.Is(err, store.ErrNotFound) {
		return api.CustomRole{}, err
	}
	if cl.dryRun {
		r.ID = ""
		return apiRole(r, 0), nil
	}
	if err := s.store.CreateCustomRole(cl.ctx, r); errors.Is(err, store.ErrConflict) {
		return api.CustomRole{}, roleKeyConflict(r.Key)
	} else if err != nil {
		return api.CustomRole{}, err
	}
	s.audit(cl, "role.create", "role/"+r.ID, fmt.Sprintf("key=%q", r.Key)+notEnforcedDetail("policy", r.Policy))
	return apiRole(r, 0), nil
}

func (s *Server) patchRole(cl *call, pb patchBody) (api.CustomRole, error) {
	r, err := s.loadRole(cl, catalogue.CustomRoleWrite)
	if err != nil {
		return api.CustomRole{}, err
	}
	cur := roleSpec{Name: r.Name, Description: r.Description, Policy: nonNil(r.Policy), BasePermissions: r.BasePermissions, Permissions: nonNil(r.Permissions), Access: accessOf(r.Access)}
	if err := validDescription("comment", pb.Comment); err != nil {
		return api.CustomRole{}, err
	}
	var next roleSpec
	touched, err := applyPatch(cur, pb.Ops, rolePatchRules, &next)
	if err != nil {
		return api.CustomRole{}, err
	}
	if err := s.applyRoleSpec(&r, next); err != nil {
		return api.CustomRole{}, err
	}
	if err := s.roleNoEscalation(cl, r); err != nil {
		return api.CustomRole{}, err
	}
	r.UpdatedAt = cl.now
	if !cl.dryRun {
		if err := s.store.UpdateCustomRole(cl.ctx, r); err != nil {
			return api.CustomRole{}, err
		}
		detail := "fields=" + strings.Join(slices.Sorted(maps.Keys(touched)), ",")
		if pb.Comment != "" {
			detail += fmt.Sprintf(" comment=%q", pb.Comment)
		}
		s.audit(cl, "role.update", "role/"+r.ID, detail+notEnforcedDetail("policy", r.Policy))
	}
	return s.roleOut(cl, r)
}

func (s *Server) deleteRole(cl *call, _ noBody) (noContent, error) {
	r, err := s.loadRole(cl, catalogue.CustomRoleWrite)
	if err != nil {
		return noContent{}, err
	}
	if err := s.store.DeleteCustomRole(cl.ctx, s.orgID, r.ID); err != nil {
		return noContent{}, err
	}
	s.audit(cl, "role.delete", "role/"+r.ID, fmt.Sprintf("key=%q", r.Key))
	return noContent{}, nil
}
