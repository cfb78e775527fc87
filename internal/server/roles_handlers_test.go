package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestCustomRoleDryRunWritesNothing(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)

	in := api.CustomRoleCreate{
		Key: "deployer", Name: "Deployer",
		Policy: []api.Statement{
			{Effect: "allow", Actions: []string{"WORKSPACE_READ", "ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*", "org"}},
			{Effect: "deny", Actions: []string{"ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*"}},
		},
	}
	r := c.must(http.StatusOK, "POST", api.PathRoles+"?dryRun=true", in)
	if r.Obj["_id"] != "" {
		t.Fatalf("dry run gave an id: %s", r.Body)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/deployer", nil)
}

func TestCustomRoleLifecycle(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	in := api.CustomRoleCreate{
		Key: "deployer", Name: "Deployer",
		Policy: []api.Statement{
			{Effect: "allow", Actions: []string{"WORKSPACE_READ", "ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*", "org"}},
			{Effect: "deny", Actions: []string{"ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*"}},
		},
	}
	r := c.must(http.StatusCreated, "POST", api.PathRoles, in)
	requireFields(t, r.Obj, "_id", "_links", "key", "name", "policy")
	var role api.CustomRole
	r.into(t, &role)
	if len(role.Policy) != 2 || role.Policy[0].Actions[0] != "WORKSPACE_READ" || role.Policy[1].Effect != "deny" {
		t.Fatalf("policy order not kept: %s", r.Body)
	}
	c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathRoles, in)

	// By key and by id.
	c.must(http.StatusOK, "GET", api.PathRoles+"/deployer", nil)
	c.must(http.StatusOK, "GET", api.PathRoles+"/"+role.ID, nil)

	// Token by role key; output gives the id.
	tok := c.createToken(api.TokenCreate{Name: "uses-role", CustomRoleIDs: []string{"deployer"}})
	if len(tok.CustomRoleIDs) != 1 || tok.CustomRoleIDs[0] != role.ID {
		t.Fatalf("customRoleIds %v, want [%s]", tok.CustomRoleIDs, role.ID)
	}
	tc := c.with(tok.Token)
	tc.must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)
	p := tc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathRoles, nil)
	if p.ErrorNumber != 4101 || len(p.Missing) != 1 || p.Missing[0] != "CUSTOM_ROLE_READ" {
		t.Fatalf("problem %+v", p)
	}

	// Both PATCH shapes.
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/deployer", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "Deployer 2"}})
	r = c.must(http.StatusOK, "PATCH", api.PathRoles+"/deployer", map[string]any{
		"patch":   []api.PatchOperation{{Op: "add", Path: "/policy/-", Value: map[string]any{"effect": "allow", "actions": []string{"CUSTOM_ROLE_READ"}, "resources": []string{"org"}}}},
		"comment": "let it read roles",
	})
	r.into(t, &role)
	if role.Name != "Deployer 2" || len(role.Policy) != 3 || role.TokenCount != 1 {
		t.Fatalf("patched role %s", r.Body)
	}
	// The live token sees the change on its next request.
	tc.must(http.StatusOK, "GET", api.PathRoles, nil)

	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathRoles+"/deployer", []api.PatchOperation{{Op: "replace", Path: "/key", Value: "x"}})
	if p.Field != "key" {
		t.Fatalf("field %q", p.Field)
	}
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, api.CustomRoleCreate{Key: "-bad", Name: "x", Permissions: []string{"API_READ"}})
	if p.Field != "key" {
		t.Fatalf("field %q", p.Field)
	}
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "x", Policy: []api.Statement{{Effect: "allow", Actions: []string{"NOPE"}, Resources: []string{"org"}}}})
	if !strings.HasPrefix(p.Field, "policy[0]") {
		t.Fatalf("field %q", p.Field)
	}

	p = c.fail(http.StatusConflict, api.CodeConflict, "DELETE", api.PathRoles+"/deployer", nil)
	if !strings.Contains(p.Detail, "1") {
		t.Fatalf("in-use detail %q does not name the count", p.Detail)
	}
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+tok.ID, nil)
	c.must(http.StatusNoContent, "DELETE", api.PathRoles+"/deployer", nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/deployer", nil)
}
