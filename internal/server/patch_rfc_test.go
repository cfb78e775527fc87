package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// RFC 6902: replace and remove need an existing member, add creates one.
// A replace of an absent member fails and the whole patch changes nothing.
func TestPatchReplaceOfAbsentMemberFails(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	stmt := api.Statement{Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"org"}}
	tok := c.createToken(api.TokenCreate{Name: "t", Description: "d", InlineRole: []api.Statement{stmt}})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Policy: []api.Statement{stmt}})
	tokPath, rolePath := api.PathTokens+"/"+tok.ID, api.PathRoles+"/r"

	for _, rq := range []struct {
		path string
		ops  []api.PatchOperation
	}{
		{tokPath, []api.PatchOperation{
			{Op: "remove", Path: "/inlineRole/0/resources"},
			{Op: "replace", Path: "/inlineRole/0/notResources", Value: []string{"workspace/x"}},
		}},
		{tokPath, []api.PatchOperation{
			{Op: "remove", Path: "/description"},
			{Op: "replace", Path: "/description", Value: "back"},
		}},
		{rolePath, []api.PatchOperation{
			{Op: "remove", Path: "/policy/0/actions"},
			{Op: "replace", Path: "/policy/0/notActions", Value: []string{"API_WRITE"}},
		}},
		{rolePath, []api.PatchOperation{{Op: "replace", Path: "/policy/1", Value: stmt}}},
		{rolePath, []api.PatchOperation{{Op: "replace", Path: "/policy/-1", Value: stmt}}},
	} {
		for _, dry := range []string{"?dryRun=true", ""} {
			p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", rq.path+dry, rq.ops)
			if !strings.Contains(p.Detail, "replace") {
				t.Errorf("PATCH %s %+v: detail %q does not name the operation", rq.path, rq.ops, p.Detail)
			}
		}
	}
	var got api.Token
	c.must(http.StatusOK, "GET", tokPath, nil).into(t, &got)
	if got.Description != "d" || len(got.InlineRole) != 1 || len(got.InlineRole[0].NotResources) != 0 {
		t.Fatalf("token changed by refused patches: %+v", got)
	}
	var role api.CustomRole
	c.must(http.StatusOK, "GET", rolePath, nil).into(t, &role)
	if len(role.Policy) != 1 || len(role.Policy[0].NotActions) != 0 {
		t.Fatalf("role changed by refused patches: %+v", role.Policy)
	}

	// add creates the member, after which replace applies.
	c.must(http.StatusOK, "PATCH", tokPath, []api.PatchOperation{
		{Op: "remove", Path: "/inlineRole/0/resources"},
		{Op: "add", Path: "/inlineRole/0/notResources", Value: []string{"workspace/x"}},
		{Op: "replace", Path: "/inlineRole/0/notResources", Value: []string{"workspace/y"}},
		{Op: "test", Path: "/inlineRole/0/notResources/0", Value: "workspace/y"},
	}).into(t, &got)
	if len(got.InlineRole[0].NotResources) != 1 || got.InlineRole[0].NotResources[0] != "workspace/y" {
		t.Fatalf("inline role after add and replace: %+v", got.InlineRole)
	}
	// A failed test is a conflict and changes nothing.
	c.fail(http.StatusConflict, api.CodeConflict, "PATCH", tokPath, []api.PatchOperation{
		{Op: "replace", Path: "/name", Value: "renamed"},
		{Op: "test", Path: "/description", Value: "not d"},
	})
	c.must(http.StatusOK, "GET", tokPath, nil).into(t, &got)
	if got.Name != "t" {
		t.Fatalf("name %q after a failed test", got.Name)
	}
}

// JSON Patch edge cases: escaped pointers, "-", and a failing test that
// leaves everything as it was.
func TestPatchEdgeCases(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "a", Name: "A", Permissions: []string{"API_READ"}})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "b", Name: "B", Permissions: []string{"API_READ"}})
	tok := c.createToken(api.TokenCreate{Name: "t", CustomRoleIDs: []string{"a"}})

	p := c.fail(http.StatusConflict, api.CodeConflict, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{
		{Op: "replace", Path: "/name", Value: "changed"}, {Op: "test", Path: "/name", Value: "other"}})
	if p.Field != "name" {
		t.Fatalf("field %q", p.Field)
	}
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "t" {
		t.Fatalf("failed test applied the patch: %q", got.Name)
	}
	for _, path := range []string{"/name~1x", "/na~0me", "/~1name", "name", "", "/"} {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: path, Value: "x"}})
	}
	for _, path := range []string{"/customRoleIds/5", "/customRoleIds/-1", "/customRoleIds/x"} {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "add", Path: path, Value: "b"}})
	}
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "add", Path: "/customRoleIds/-", Value: "b"}}).into(t, &got)
	if len(got.CustomRoleIDs) != 2 {
		t.Fatalf("customRoleIds %v", got.CustomRoleIDs)
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, `[{"op":"replace","path":"/name","value":`+deep+`}]`)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, `{"name":"x","inlineRole":`+deep+`}`)
}
